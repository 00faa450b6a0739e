using WasmWizard.Shared.Ports;

namespace WasmWizard.Api.Tests.Infrastructure;

/// <summary>The real identity store, counting the batches of key-usage writes that reach it.</summary>
public sealed class CountingIdentityStore(IIdentityStore inner) : IIdentityStore
{
    private int _usageWrites;

    public int UsageWrites => Volatile.Read(ref _usageWrites);

    public Task RecordKeyUsageAsync(
        IReadOnlyCollection<KeyValuePair<Guid, DateTimeOffset>> usage, CancellationToken cancellationToken)
    {
        if (usage.Count > 0)
        {
            Interlocked.Increment(ref _usageWrites);
        }

        return inner.RecordKeyUsageAsync(usage, cancellationToken);
    }

    public Task<bool> TryCreateUserAsync(UserRecord user, ApiKeyRecord firstKey, CancellationToken cancellationToken) =>
        inner.TryCreateUserAsync(user, firstKey, cancellationToken);

    public Task<EnsuredUser> EnsureUserAsync(UserRecord user, CancellationToken cancellationToken) => inner.EnsureUserAsync(user, cancellationToken);

    public Task<UserRecord?> GetUserAsync(Guid id, CancellationToken cancellationToken) => inner.GetUserAsync(id, cancellationToken);

    public Task<UserRecord?> FindUserByEmailAsync(string email, CancellationToken cancellationToken) =>
        inner.FindUserByEmailAsync(email, cancellationToken);

    public Task<UserRecord?> SetTierAsync(Guid userId, string tier, CancellationToken cancellationToken) =>
        inner.SetTierAsync(userId, tier, cancellationToken);

    public Task<PagedResult<UserRecord>> ListUsersAsync(int offset, int limit, CancellationToken cancellationToken) =>
        inner.ListUsersAsync(offset, limit, cancellationToken);

    public Task<(ApiKeyRecord Key, UserRecord User)?> FindActiveKeyAsync(
        string keyHash, DateTimeOffset now, CancellationToken cancellationToken) =>
        inner.FindActiveKeyAsync(keyHash, now, cancellationToken);

    public Task AddKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken) => inner.AddKeyAsync(key, cancellationToken);

    public Task<bool> TryAddKeyAsync(ApiKeyRecord key, int maxActiveKeys, CancellationToken cancellationToken) =>
        inner.TryAddKeyAsync(key, maxActiveKeys, cancellationToken);

    public Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(Guid userId, CancellationToken cancellationToken) =>
        inner.ListKeysAsync(userId, cancellationToken);

    public Task RevokeAllKeysAsync(Guid userId, DateTimeOffset at, CancellationToken cancellationToken) =>
        inner.RevokeAllKeysAsync(userId, at, cancellationToken);

    public Task<bool> RevokeKeyAsync(Guid userId, Guid keyId, DateTimeOffset at, CancellationToken cancellationToken) =>
        inner.RevokeKeyAsync(userId, keyId, at, cancellationToken);
}
