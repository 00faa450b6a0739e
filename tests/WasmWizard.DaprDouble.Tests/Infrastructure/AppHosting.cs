namespace WasmWizard.DaprDouble.Tests.Infrastructure;

/// <summary>How a <see cref="TestApp"/> is hosted, and so which <see cref="AppChannel"/> reaches it.</summary>
public enum AppHosting
{
    /// <summary>In memory; the sidecar uses the TestServer's handler (<see cref="AppChannel.FromHandler"/>).</summary>
    TestServerHandler,

    /// <summary>
    /// In memory; the sidecar asks the TestServer for clients (<see cref="AppChannel.FromClientFactory"/>), as with
    /// <c>WebApplicationFactory.CreateClient</c>.
    /// </summary>
    TestServerClients,

    /// <summary>Kestrel on 127.0.0.1 with a dynamic port (<see cref="AppChannel.FromAddress"/>).</summary>
    LoopbackPort,
}
