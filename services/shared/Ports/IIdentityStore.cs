namespace WasmWizard.Shared.Ports;

/// <summary>Users and their API keys.</summary>
public interface IIdentityStore
{
    /// <summary>Creates a user together with their first key. Returns false when the email is taken.</summary>
    Task<bool> TryCreateUserAsync(UserRecord user, ApiKeyRecord firstKey, CancellationToken cancellationToken);

    /// <summary>
    /// Creates a user known from elsewhere (a JWT tenant) unless one with that id exists; the tier of an existing user
    /// is brought up to date. Such users own modules like any other but hold no API keys. Says what changed, so
    /// the change can be audited.
    /// </summary>
    Task<EnsuredUser> EnsureUserAsync(UserRecord user, CancellationToken cancellationToken);

    /// <summary>Finds a user by id.</summary>
    Task<UserRecord?> GetUserAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>Finds a user by email (exact, case-insensitive).</summary>
    Task<UserRecord?> FindUserByEmailAsync(string email, CancellationToken cancellationToken);

    /// <summary>Changes a user's tier. Returns the updated user, or null when there is no such user.</summary>
    Task<UserRecord?> SetTierAsync(Guid userId, string tier, CancellationToken cancellationToken);

    /// <summary>Lists users, newest first.</summary>
    Task<PagedResult<UserRecord>> ListUsersAsync(int offset, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Finds a valid key (not revoked, not expired at <paramref name="now"/>) by the SHA-256 of its secret, with its
    /// owner.
    /// </summary>
    Task<(ApiKeyRecord Key, UserRecord User)?> FindActiveKeyAsync(
        string keyHash, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Records when keys were last used, in one batch (never once per request).</summary>
    Task RecordKeyUsageAsync(IReadOnlyCollection<KeyValuePair<Guid, DateTimeOffset>> usage, CancellationToken cancellationToken);

    /// <summary>Adds a key to an existing user.</summary>
    Task AddKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken);

    /// <summary>
    /// Adds a key to an existing user unless they already hold <paramref name="maxActiveKeys"/> keys that are
    /// neither revoked nor expired when the new one is created; false when they do. Counting and adding are one
    /// step, so requests made at the same moment cannot all pass the cap.
    /// </summary>
    Task<bool> TryAddKeyAsync(ApiKeyRecord key, int maxActiveKeys, CancellationToken cancellationToken);

    /// <summary>Lists a user's keys, newest first, revoked ones included.</summary>
    Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(Guid userId, CancellationToken cancellationToken);

    /// <summary>Revokes every key of a user that is still valid.</summary>
    Task RevokeAllKeysAsync(Guid userId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Revokes one of a user's keys. Returns false when the user has no such key.</summary>
    Task<bool> RevokeKeyAsync(Guid userId, Guid keyId, DateTimeOffset at, CancellationToken cancellationToken);
}
