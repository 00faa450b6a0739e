using WasmWizard.Shared.Ports;

namespace WasmWizard.Api.Model;

/// <summary>An API key as its owner sees it later: never the key itself, only its prefix.</summary>
public sealed record KeyResponse(Guid Id, string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, bool Active)
{
    /// <summary>Maps a stored key.</summary>
    public static KeyResponse From(ApiKeyRecord key) =>
        new(key.Id, key.Name, key.Prefix, key.CreatedAt, key.RevokedAt, key.RevokedAt is null);
}
