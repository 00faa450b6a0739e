using System.Security.Claims;

namespace WasmWizard.Api.Auth;

/// <summary>Who is calling, as the authentication handler established it.</summary>
public sealed record Caller(Guid UserId, string Tier, bool IsAdmin, Guid? KeyId, string? KeyPrefix, DateTimeOffset? KeyExpiresAt)
{
    /// <summary>
    /// Whose request budget a request spends: the user's, shared by all their keys (a budget per key would let a
    /// user multiply it by minting keys), and a JWT tenant's likewise. The tier is part of it, so a tier change
    /// starts a fresh budget at the new tier's limits at once.
    /// </summary>
    public string RateLimitPartition => "user:" + UserId + ":" + Tier;

    /// <summary>Reads the caller from an authenticated principal.</summary>
    public static Caller From(ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        var userId = Guid.Parse(principal.FindFirstValue(WasmWizardClaims.UserId)
            ?? throw new InvalidOperationException("The principal carries no user id."));
        var keyId = principal.FindFirstValue(WasmWizardClaims.KeyId);
        return new Caller(
            userId,
            principal.FindFirstValue(WasmWizardClaims.Tier) ?? Shared.Contracts.Tiers.Free,
            principal.IsInRole(WasmWizardClaims.AdminRole),
            keyId is null ? null : Guid.Parse(keyId),
            principal.FindFirstValue(WasmWizardClaims.KeyPrefix),
            principal.FindFirstValue(WasmWizardClaims.KeyExpiresAt) is { } expires
                ? DateTimeOffset.FromUnixTimeSeconds(long.Parse(expires, System.Globalization.CultureInfo.InvariantCulture))
                : null);
    }

    /// <summary>The scopes the caller's credential carries.</summary>
    public static IReadOnlyList<string> ScopesOf(ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        return principal.FindAll(WasmWizardClaims.Scope).Select(c => c.Value).ToList();
    }
}
