using Dapr.Client;
using WasmWizard.Shared.Ports;
using static WasmWizard.Shared.Dapr.State.StateStoreClient;

namespace WasmWizard.Shared.Dapr.State;

/// <summary>
/// Users and API keys in the shared Dapr state store, for the distributed deployment. Behaves as the embedded
/// SQLite store does; the key model is in <c>services/shared/Dapr/README.md</c>.
/// </summary>
/// <remarks>
/// Index sizes: <c>users</c> holds every user id (about 50 bytes each: 20,000 users are 1 MB, rewritten on each
/// sign-up); <c>user-keys:{id}</c> holds every key a user ever had, revoked ones included, since keys are never
/// deleted.
/// </remarks>
public sealed class DaprIdentityStore(DaprClient dapr, TimeProvider time) : IIdentityStore
{
    private readonly StateStoreClient _state = new(dapr, time);

    /// <inheritdoc />
    public async Task<bool> TryCreateUserAsync(
        UserRecord user, ApiKeyRecord firstKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(firstKey);
        var hashKey = HashKeyOf(firstKey);
        if (await _state.AnyExistsAsync(
            [StateKeys.User(user.Id), StateKeys.ApiKey(firstKey.Id), hashKey], cancellationToken))
        {
            return false;
        }

        // The address is claimed alone first: a single-key first-write holds on every store, so of many
        // concurrent creators exactly one goes on, and the others write nothing at all.
        var emailKey = StateKeys.UserEmail(user.Email);
        if (!await _state.TryAddAsync(emailKey, new EmailClaim(user.Id), cancellationToken))
        {
            return false;
        }

        try
        {
            return await _state.RetryAsync(
                "create user",
                async () =>
                {
                    var users = await _state.EnsureAsync(StateKeys.Users, IdIndex.Empty, cancellationToken);
                    StateTransactionRequest[] operations =
                    [
                        Put(StateKeys.User(user.Id), user.Stored(), ""),
                        Put(users, users.Value!.With(new IndexEntry(user.Id))),
                        .. NewKeyOperations(firstKey.Stored(), hashKey, IdIndex.Empty, ""),
                    ];
                    return await _state.TryCommitAsync(operations, cancellationToken)
                        ? Attempt<bool>.Done(true)
                        : Attempt<bool>.Retry;
                },
                cancellationToken);
        }
        catch (StateConcurrencyException)
        {
            // Nothing was written, so the address is released again. After an outage it stays claimed: the
            // user may exist, and only a later read can tell.
            // TODO: a claim whose user never got written (the sidecar failed in between) blocks the address;
            // finish or drop such claims when one is met, once the api has a repair path for half-made users.
            var claim = await _state.ReadAsync<EmailClaim>(emailKey, cancellationToken);
            if (claim.Value?.UserId == user.Id)
            {
                await _state.TryCommitAsync([Remove(claim)], cancellationToken);
            }

            throw;
        }
    }

    /// <inheritdoc />
    public Task<EnsuredUser> EnsureUserAsync(UserRecord user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        return _state.RetryAsync(
            "ensure user",
            async () =>
            {
                var current = await _state.ReadAsync<UserRecord>(StateKeys.User(user.Id), cancellationToken);
                if (current.Value is { } existing)
                {
                    if (existing.Tier == user.Tier)
                    {
                        return Attempt<EnsuredUser>.Done(EnsuredUser.Unchanged);
                    }

                    var retiered = Put(current, existing with { Tier = user.Tier });
                    return await _state.TryCommitAsync([retiered], cancellationToken)
                        ? Attempt<EnsuredUser>.Done(EnsuredUser.TierChanged)
                        : Attempt<EnsuredUser>.Retry;
                }

                await ClaimEmailAsync(user, cancellationToken);
                var users = await _state.EnsureAsync(StateKeys.Users, IdIndex.Empty, cancellationToken);
                StateTransactionRequest[] operations =
                [
                    Put(current.Key, (user with { IsAdmin = false }).Stored(), ""),
                    Put(users, users.Value!.With(new IndexEntry(user.Id))),
                ];
                return await _state.TryCommitAsync(operations, cancellationToken)
                    ? Attempt<EnsuredUser>.Done(EnsuredUser.Created)
                    : Attempt<EnsuredUser>.Retry;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public async Task<UserRecord?> GetUserAsync(Guid id, CancellationToken cancellationToken) =>
        (await _state.ReadAsync<UserRecord>(StateKeys.User(id), cancellationToken)).Value;

    /// <inheritdoc />
    public async Task<UserRecord?> FindUserByEmailAsync(string email, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(email);
        var claim = await _state.ReadAsync<EmailClaim>(StateKeys.UserEmail(email), cancellationToken);
        return claim.Value is { } holder ? await GetUserAsync(holder.UserId, cancellationToken) : null;
    }

    /// <inheritdoc />
    public Task<UserRecord?> SetTierAsync(Guid userId, string tier, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tier);
        return _state.RetryAsync(
            "set tier",
            async () =>
            {
                var current = await _state.ReadAsync<UserRecord>(StateKeys.User(userId), cancellationToken);
                if (current.Value is not { } existing || existing.Tier == tier)
                {
                    return Attempt<UserRecord?>.Done(current.Value);
                }

                var updated = existing with { Tier = tier };
                return await _state.TryCommitAsync([Put(current, updated)], cancellationToken)
                    ? Attempt<UserRecord?>.Done(updated)
                    : Attempt<UserRecord?>.Retry;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public async Task<PagedResult<UserRecord>> ListUsersAsync(
        int offset, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var index = (await _state.ReadAsync<IdIndex>(StateKeys.Users, cancellationToken)).Value ?? IdIndex.Empty;
        var page = index.Entries.Skip(offset).Take(limit).Select(e => StateKeys.User(e.Id)).ToList();
        var users = await _state.ReadManyAsync<UserRecord>(page, cancellationToken);
        return new PagedResult<UserRecord>(users.Where(u => u.Exists).Select(u => u.Value!).ToList(), index.Count);
    }

    /// <inheritdoc />
    public async Task<(ApiKeyRecord Key, UserRecord User)?> FindActiveKeyAsync(
        string keyHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keyHash);
        if (StateKeys.KeyHash(keyHash) is not { } hashKey
            || (await _state.ReadAsync<KeyHashPointer>(hashKey, cancellationToken)).Value is not { } pointer)
        {
            return null;
        }

        var (key, user) = await _state.ReadPairAsync<ApiKeyRecord, UserRecord>(
            StateKeys.ApiKey(pointer.KeyId), StateKeys.User(pointer.UserId), cancellationToken);
        return key.Value is { RevokedAt: null } active && (active.ExpiresAt is null || active.ExpiresAt > now)
            && user.Value is { } owner && active.UserId == owner.Id
            ? (active, owner)
            : null;
    }

    /// <inheritdoc />
    public async Task RecordKeyUsageAsync(
        IReadOnlyCollection<KeyValuePair<Guid, DateTimeOffset>> usage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(usage);
        var latest = usage
            .GroupBy(u => u.Key)
            .ToDictionary(
                g => StateKeys.ApiKey(g.Key), g => g.Max(u => u.Value).ToUniversalTime(), StringComparer.Ordinal);
        if (latest.Count == 0)
        {
            return;
        }

        // One bulk read and one transaction per flush; the ETags keep a flush from undoing a revocation that
        // landed in between.
        await _state.RetryAsync(
            "record key usage",
            async () =>
            {
                var keys = await _state.ReadManyAsync<ApiKeyRecord>(latest.Keys.ToList(), cancellationToken);
                var operations = keys
                    .Where(k => k.Value is { } key && (key.LastUsedAt is null || key.LastUsedAt < latest[k.Key]))
                    .Select(k => Put(k, k.Value! with { LastUsedAt = latest[k.Key] }))
                    .ToList();
                return await CommitUnlessEmptyAsync(operations, cancellationToken);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task AddKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken) =>
        AddKeyUnderCapAsync(key, maxActiveKeys: null, cancellationToken);

    /// <inheritdoc />
    public Task<bool> TryAddKeyAsync(ApiKeyRecord key, int maxActiveKeys, CancellationToken cancellationToken) =>
        AddKeyUnderCapAsync(key, maxActiveKeys, cancellationToken);

    private async Task<bool> AddKeyUnderCapAsync(
        ApiKeyRecord key, int? maxActiveKeys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var hashKey = HashKeyOf(key);
        if (await _state.AnyExistsAsync([StateKeys.ApiKey(key.Id), hashKey], cancellationToken))
        {
            throw new InvalidOperationException($"A key with id {key.Id} or with the same secret is already stored.");
        }

        return await _state.RetryAsync(
            "add key",
            async () =>
            {
                if (!(await _state.ReadAsync<UserRecord>(StateKeys.User(key.UserId), cancellationToken)).Exists)
                {
                    throw new InvalidOperationException($"There is no user {key.UserId} to add a key to.");
                }

                var keys = await _state.EnsureAsync(StateKeys.UserKeys(key.UserId), IdIndex.Empty, cancellationToken);
                if (maxActiveKeys is { } cap
                    && await CountActiveAsync(keys.Value!, key.CreatedAt, cancellationToken) >= cap)
                {
                    return Attempt<bool>.Done(false);
                }

                // The index is written with the ETag it was read with: a key added by anyone since (this count
                // included) fails the commit, and the retry counts again.
                var operations = NewKeyOperations(key.Stored(), hashKey, keys.Value!, keys.ETag);
                return await _state.TryCommitAsync(operations, cancellationToken)
                    ? Attempt<bool>.Done(true)
                    : Attempt<bool>.Retry;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(Guid userId, CancellationToken cancellationToken) =>
        (await ReadKeysAsync(userId, cancellationToken)).Select(k => k.Value!).ToList();

    /// <inheritdoc />
    public Task RevokeAllKeysAsync(Guid userId, DateTimeOffset at, CancellationToken cancellationToken) =>
        _state.RetryAsync(
            "revoke all keys",
            async () =>
            {
                var keys = await ReadKeysAsync(userId, cancellationToken);
                var operations = keys
                    .Where(k => k.Value!.RevokedAt is null)
                    .Select(k => Put(k, k.Value! with { RevokedAt = at.ToUniversalTime() }))
                    .ToList();
                return await CommitUnlessEmptyAsync(operations, cancellationToken);
            },
            cancellationToken);

    /// <inheritdoc />
    public Task<bool> RevokeKeyAsync(
        Guid userId, Guid keyId, DateTimeOffset at, CancellationToken cancellationToken) =>
        _state.RetryAsync(
            "revoke key",
            async () =>
            {
                var current = await _state.ReadAsync<ApiKeyRecord>(StateKeys.ApiKey(keyId), cancellationToken);
                if (current.Value is not { } key || key.UserId != userId)
                {
                    return Attempt<bool>.Done(false);
                }

                // Revoking twice keeps the first time, as the SQLite store does.
                if (key.RevokedAt is not null)
                {
                    return Attempt<bool>.Done(true);
                }

                return await _state.TryCommitAsync(
                    [Put(current, key with { RevokedAt = at.ToUniversalTime() })], cancellationToken)
                    ? Attempt<bool>.Done(true)
                    : Attempt<bool>.Retry;
            },
            cancellationToken);

    private async Task ClaimEmailAsync(UserRecord user, CancellationToken cancellationToken)
    {
        var emailKey = StateKeys.UserEmail(user.Email);
        if (!await _state.TryAddAsync(emailKey, new EmailClaim(user.Id), cancellationToken)
            && (await _state.ReadAsync<EmailClaim>(emailKey, cancellationToken)).Value?.UserId != user.Id)
        {
            // SQLite refuses the same with a unique-constraint error; the reserved domain of external users
            // keeps it from happening.
            throw new InvalidOperationException($"Another user already has the email of user {user.Id}.");
        }
    }

    private async Task<IReadOnlyList<Versioned<ApiKeyRecord>>> ReadKeysAsync(
        Guid userId, CancellationToken cancellationToken)
    {
        var index = (await _state.ReadAsync<IdIndex>(StateKeys.UserKeys(userId), cancellationToken)).Value;
        var keys = await _state.ReadManyAsync<ApiKeyRecord>(
            (index ?? IdIndex.Empty).Entries.Select(e => StateKeys.ApiKey(e.Id)).ToList(), cancellationToken);
        return keys.Where(k => k.Exists).ToList();
    }

    private async Task<int> CountActiveAsync(IdIndex index, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var keys = await _state.ReadManyAsync<ApiKeyRecord>(
            index.Entries.Select(e => StateKeys.ApiKey(e.Id)).ToList(), cancellationToken);
        return keys.Count(k => k.Value is { RevokedAt: null } key && (key.ExpiresAt is null || key.ExpiresAt > now));
    }

    private async Task<Attempt<bool>> CommitUnlessEmptyAsync(
        IReadOnlyList<StateTransactionRequest> operations, CancellationToken cancellationToken) =>
        operations.Count == 0 || await _state.TryCommitAsync(operations, cancellationToken)
            ? Attempt<bool>.Done(true)
            : Attempt<bool>.Retry;

    private static StateTransactionRequest[] NewKeyOperations(
        ApiKeyRecord key, string hashKey, IdIndex keys, string keysETag) =>
    [
        Put(StateKeys.ApiKey(key.Id), key, ""),
        Put(hashKey, new KeyHashPointer(key.Id, key.UserId), ""),
        Put(StateKeys.UserKeys(key.UserId), keys.With(new IndexEntry(key.Id)), keysETag),
    ];

    private static string HashKeyOf(ApiKeyRecord key) => StateKeys.KeyHash(key.KeyHash)
        ?? throw new ArgumentException("A key is stored by the lower-case hex SHA-256 of its secret.", nameof(key));
}
