namespace WasmWizard.Api.Tests.Infrastructure;

/// <summary>A user created for a test, with a client that authenticates as them.</summary>
public sealed record TestUser(Guid Id, string ApiKey, Guid ApiKeyId, HttpClient Client) : IDisposable
{
    public void Dispose() => Client.Dispose();
}
