using Dapr.Client;

namespace WasmWizard.DaprDouble.Tests.Infrastructure;

/// <summary>Real SDK clients pointed at a sidecar double.</summary>
public static class Clients
{
    /// <summary>
    /// A <see cref="DaprClient"/> on the double's endpoints, built as an app builds it, sending
    /// <paramref name="apiToken"/> (none when null) as <c>dapr-api-token</c>.
    /// </summary>
    public static DaprClient For(SidecarDouble sidecar, string? apiToken = null) => new DaprClientBuilder()
        .UseGrpcEndpoint(sidecar.GrpcEndpoint)
        .UseHttpEndpoint(sidecar.HttpEndpoint)
        .UseDaprApiToken(apiToken)
        .Build();
}
