namespace WasmWizard.Shared.Tests.Infrastructure;

/// <summary>One request a <see cref="StubSidecarHandler"/> received.</summary>
public sealed record RecordedRequest(
    HttpMethod Method, Uri Uri, IReadOnlyDictionary<string, string> Headers, string? ContentType, byte[] Body);
