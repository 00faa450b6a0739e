using Microsoft.Extensions.Logging;
using WasmWizard.Api.Apis;
using WasmWizard.Api.Audit;
using WasmWizard.Api.Auth;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Api.Bootstrap;

/// <summary>
/// The admin key an operator provides (<c>Api:AdminApiKey</c>, from a Kubernetes Secret): made a valid key of the
/// admin user, and no file is written. Every replica does this at startup with the same key, so each step is safe
/// when they race: the admin's email admits one user, and a key's hash one key. A new key (a rotated secret) revokes
/// the admin keys provided or generated before it; a replica that still holds an older key refuses to start
/// instead of revoking the newer one, and so does one whose key was revoked.
/// </summary>
internal sealed class ConfiguredAdminKey(
    IIdentityStore identities, AuditRecorder audit, TimeProvider time, ILogger logger)
{
    /// <summary>The name of a key stored from <c>Api:AdminApiKey</c>.</summary>
    public const string KeyName = "admin (Api:AdminApiKey)";

    // A replica that lost the race for the admin's email waits for the winner's user to become readable; the
    // Dapr store claims the email a moment before it writes the user.
    private const int FindAttempts = 20;
    private static readonly TimeSpan FindPause = TimeSpan.FromMilliseconds(100);

    /// <summary>Makes <paramref name="key"/> the admin key; throws when this replica's key is out of date.</summary>
    public async Task EnsureAsync(string key, CancellationToken cancellationToken)
    {
        var hash = ApiKeys.Hash(key);
        var admin = await EnsureAdminAsync(key, cancellationToken);
        var keys = await identities.ListKeysAsync(admin.Id, cancellationToken);
        var mine = keys.FirstOrDefault(k => k.KeyHash == hash) ?? await AddAsync(admin, key, hash, cancellationToken);
        if (mine.RevokedAt is not null)
        {
            throw new InvalidOperationException(
                "The admin key in Api:AdminApiKey was revoked (replaced by a newer key, or revoked by an admin). "
                + "A revoked key never works again: put a newly generated key in the secret.");
        }

        if (keys.Any(k => k.Name == KeyName && k.RevokedAt is null && IsNewer(k, mine)))
        {
            throw new InvalidOperationException(
                "A newer admin key from Api:AdminApiKey is in use: this replica's is out of date. Restart it with "
                + "the current secret.");
        }

        var earlier = keys
            .Where(k => k.Id != mine.Id && k.RevokedAt is null && IsProvided(k) && !IsNewer(k, mine))
            .ToList();
        var now = time.GetUtcNow();
        foreach (var old in earlier)
        {
            if (await identities.RevokeKeyAsync(admin.Id, old.Id, now, cancellationToken))
            {
                await audit.RecordAsync(
                    AuditEventTypes.KeyRevoked,
                    admin.Id,
                    old.Id,
                    new Dictionary<string, string>
                    {
                        ["reason"] = "admin key rotation: replaced by the key of Api:AdminApiKey",
                        ["replaced_by"] = mine.Id.ToString(),
                    });
            }
        }

        if (earlier.Count > 0)
        {
            Log.AdminKeysRotated(logger, earlier.Count, mine.Id);
        }

        Log.AdminKeyConfigured(logger, mine.Id);
    }

    // Keys the service made or was given for the admin; keys an admin created through the api stay.
    private static bool IsProvided(ApiKeyRecord key) =>
        key.Name is KeyName or AdminBootstrapper.BootstrapKeyName or AdminBootstrapper.RecoveryKeyName;

    // Creation time first; the id settles a tie, so two keys never both count as the newer one.
    private static bool IsNewer(ApiKeyRecord key, ApiKeyRecord than) =>
        key.CreatedAt > than.CreatedAt || (key.CreatedAt == than.CreatedAt && key.Id.CompareTo(than.Id) > 0);

    private async Task<UserRecord> EnsureAdminAsync(string key, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < FindAttempts; attempt++)
        {
            if (await identities.FindUserByEmailAsync(AdminBootstrapper.AdminEmail, cancellationToken) is { } found)
            {
                return found;
            }

            var now = time.GetUtcNow();
            var admin = new UserRecord(
                Guid.CreateVersion7(), AdminBootstrapper.AdminEmail, Tiers.Enterprise, IsAdmin: true, now);
            var record = KeysApi.RecordOf(key, admin.Id, KeyName, now, ApiScopes.All);
            if (await identities.TryCreateUserAsync(admin, record, cancellationToken))
            {
                await audit.RecordAsync(
                    AuditEventTypes.UserCreated,
                    admin.Id,
                    details: new Dictionary<string, string> { ["tier"] = admin.Tier });
                await RecordCreatedAsync(record);
                return admin;
            }

            await Task.Delay(FindPause, time, cancellationToken);
        }

        throw new InvalidOperationException("Could neither create nor find the admin user.");
    }

    private async Task<ApiKeyRecord> AddAsync(
        UserRecord admin, string key, string hash, CancellationToken cancellationToken)
    {
        var record = KeysApi.RecordOf(key, admin.Id, KeyName, time.GetUtcNow(), ApiScopes.All);
        try
        {
            await identities.AddKeyAsync(record, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Another replica stored the same key a moment earlier (a key's hash is unique), which is as good.
            var keys = await identities.ListKeysAsync(admin.Id, cancellationToken);
            var stored = keys.FirstOrDefault(k => k.KeyHash == hash);
            return stored ?? throw new InvalidOperationException(
                "Could not store the admin key of Api:AdminApiKey; is it another user's key?", e);
        }

        await RecordCreatedAsync(record);
        return record;
    }

    private Task RecordCreatedAsync(ApiKeyRecord record)
    {
        var details = KeysApi.Describe(record);
        details["source"] = "Api:AdminApiKey";
        return audit.RecordAsync(AuditEventTypes.KeyCreated, record.UserId, record.Id, details);
    }
}
