namespace WasmWizard.Api.Model;

/// <summary>A new user and their first API key, shown this once.</summary>
public sealed record UserCreatedResponse(Guid Id, string Email, string Tier, string ApiKey, Guid ApiKeyId, DateTimeOffset CreatedAt);
