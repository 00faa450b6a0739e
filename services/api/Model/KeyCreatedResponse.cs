namespace WasmWizard.Api.Model;

/// <summary>A new API key, shown this once. <c>api_key_id</c> repeats <c>id</c> for the earlier service's clients.</summary>
public sealed record KeyCreatedResponse(
    Guid Id,
    Guid ApiKeyId,
    string Name,
    string Prefix,
    string ApiKey,
    IReadOnlyList<string> Scopes,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt);
