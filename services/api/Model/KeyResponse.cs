using WasmWizard.Shared.Ports;

namespace WasmWizard.Api.Model;

/// <summary>An API key as its owner sees it later: never the key itself, only its prefix.</summary>
public sealed record KeyResponse(
    Guid Id,
    string Name,
    string Prefix,
    string Tier,
    IReadOnlyList<string> Scopes,
    bool IsActive,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt,
    DateTimeOffset? LastUsed)
{
    /// <summary>Maps a stored key; <paramref name="lastUsed"/> may be newer than the stored value.</summary>
    public static KeyResponse From(ApiKeyRecord key, string tier, DateTimeOffset now, DateTimeOffset? lastUsed)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new KeyResponse(
            key.Id,
            key.Name,
            key.Prefix,
            tier,
            key.Scopes,
            key.RevokedAt is null && (key.ExpiresAt is null || key.ExpiresAt > now),
            key.CreatedAt,
            key.ExpiresAt,
            key.RevokedAt,
            lastUsed > key.LastUsedAt || key.LastUsedAt is null ? lastUsed : key.LastUsedAt);
    }
}
