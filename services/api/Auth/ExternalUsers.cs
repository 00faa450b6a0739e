using System.Collections.Concurrent;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Api.Auth;

/// <summary>
/// Makes sure a JWT tenant has a user row (modules and runs belong to users), touching the store only the first
/// time this process sees the tenant or when its tier changes, not on every request.
/// </summary>
public sealed class ExternalUsers(IIdentityStore identities)
{
    private readonly ConcurrentDictionary<Guid, string> _known = new();

    /// <summary>Creates or updates the user when this process has not seen it with this tier yet.</summary>
    public async Task EnsureAsync(UserRecord user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (_known.TryGetValue(user.Id, out var tier) && tier == user.Tier)
        {
            return;
        }

        await identities.EnsureUserAsync(user, cancellationToken);
        _known[user.Id] = user.Tier;
    }
}
