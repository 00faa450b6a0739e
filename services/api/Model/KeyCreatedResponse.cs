namespace WasmWizard.Api.Model;

/// <summary>A new API key, shown this once.</summary>
public sealed record KeyCreatedResponse(Guid Id, string Name, string Prefix, string ApiKey, DateTimeOffset CreatedAt);
