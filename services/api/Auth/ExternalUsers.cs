using System.Collections.Concurrent;
using WasmWizard.Api.Audit;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Api.Auth;

/// <summary>
/// Makes sure a JWT tenant has a user row (modules and runs belong to users), touching the store only the first
/// time this process sees the tenant or when its tier changes, not on every request.
/// </summary>
public sealed class ExternalUsers(IIdentityStore identities, AuditRecorder audit)
{
    /// <summary>The domain of the made-up emails of JWT tenants; no user may be created with it.</summary>
    public const string EmailDomain = "tenants.invalid";

    private readonly ConcurrentDictionary<Guid, string> _known = new();

    /// <summary>The user row of a tenant.</summary>
    public static UserRecord Describe(Guid userId, string tier, DateTimeOffset now) =>
        new(userId, $"jwt-{userId:N}@{EmailDomain}", tier, IsAdmin: false, now);

    /// <summary>Creates or updates the user when this process has not seen it with this tier yet.</summary>
    public async Task EnsureAsync(UserRecord user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (_known.TryGetValue(user.Id, out var tier) && tier == user.Tier)
        {
            return;
        }

        var change = await identities.EnsureUserAsync(user, cancellationToken);
        _known[user.Id] = user.Tier;
        switch (change)
        {
            case EnsuredUser.Created:
                await audit.RecordAsync(
                    AuditEventTypes.UserCreated, user.Id, details: Details("tier", user.Tier, "source", "jwt"));
                break;
            case EnsuredUser.TierChanged:
                // The previous tier is not known here without another read; the token's issuer decided the change.
                await audit.RecordAsync(
                    AuditEventTypes.TierChanged, user.Id, details: Details("tier", user.Tier, "source", "jwt"));
                break;
            default:
                break;
        }
    }

    private static Dictionary<string, string> Details(params string[] pairs)
    {
        var details = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < pairs.Length; i += 2)
        {
            details[pairs[i]] = pairs[i + 1];
        }

        return details;
    }
}
