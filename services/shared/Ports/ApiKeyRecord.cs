namespace WasmWizard.Shared.Ports;

/// <summary>An API key as stored: only the SHA-256 of the secret, never the secret itself.</summary>
/// <param name="Id">The key's id, safe to show and log.</param>
/// <param name="UserId">The owner.</param>
/// <param name="Name">A label the owner chose.</param>
/// <param name="Prefix">The first characters of the key, enough to recognise it and useless to an attacker.</param>
/// <param name="KeyHash">Lower-case hex SHA-256 of the full key.</param>
/// <param name="CreatedAt">When the key was issued.</param>
/// <param name="RevokedAt">When the key was revoked, or null while it is valid.</param>
/// <param name="Scopes">What the key may do, from <see cref="ApiScopes"/>.</param>
/// <param name="ExpiresAt">When the key stops working by itself, or null for never.</param>
/// <param name="LastUsedAt">When the key was last seen, as of the last flush of usage to the store.</param>
public sealed record ApiKeyRecord(
    Guid Id,
    Guid UserId,
    string Name,
    string Prefix,
    string KeyHash,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RevokedAt,
    IReadOnlyList<string> Scopes,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastUsedAt);
