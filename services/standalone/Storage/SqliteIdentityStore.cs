using System.Globalization;
using Microsoft.Data.Sqlite;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Standalone.Storage;

/// <summary>Users and API keys in the embedded SQLite database.</summary>
public sealed class SqliteIdentityStore(SqliteDatabase database) : IIdentityStore
{
    private const int UniqueViolation = 19;
    private const string UserColumns = "u.id, u.email, u.tier, u.is_admin, u.created_at";
    private const string KeyColumns =
        "k.id, k.user_id, k.name, k.prefix, k.key_hash, k.created_at, k.revoked_at, k.scopes, k.expires_at, k.last_used_at";

    // Expiry is checked on every hit; revocations and tier changes empty it.
    private readonly AnswerCache<string, (ApiKeyRecord Key, UserRecord User)> _activeKeys =
        AnswerCache<string, (ApiKeyRecord Key, UserRecord User)>.For(database.Path);

    /// <inheritdoc />
    public async Task<bool> TryCreateUserAsync(UserRecord user, ApiKeyRecord firstKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(firstKey);
        using var writing = await database.EnterWriteAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            await using (var insert = connection.CreateCommand())
            {
                insert.Transaction = transaction;
                insert.CommandText = "INSERT INTO users (id, email, tier, is_admin, created_at) VALUES ($id, $email, $tier, $admin, $at)";
                insert.With("$id", user.Id.ToString()).With("$email", user.Email).With("$tier", user.Tier)
                    .With("$admin", user.IsAdmin ? 1 : 0).With("$at", SqliteValues.Text(user.CreatedAt));
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }

            await InsertKeyAsync(connection, transaction, firstKey, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return true;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == UniqueViolation)
        {
            await transaction.RollbackAsync(cancellationToken);
            return false;
        }
    }

    /// <inheritdoc />
    public async Task<EnsuredUser> EnsureUserAsync(UserRecord user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        using var writing = await database.EnterWriteAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);

        // Two statements rather than one upsert, so the answer can say which happened; each is safe against a
        // concurrent first request of the same tenant.
        await using var insert = connection.CreateCommand();
        insert.CommandText = """
            INSERT INTO users (id, email, tier, is_admin, created_at) VALUES ($id, $email, $tier, 0, $at)
            ON CONFLICT (id) DO NOTHING
            """;
        insert.With("$id", user.Id.ToString()).With("$email", user.Email).With("$tier", user.Tier)
            .With("$at", SqliteValues.Text(user.CreatedAt));
        if (await insert.ExecuteNonQueryAsync(cancellationToken) == 1)
        {
            return EnsuredUser.Created;
        }

        await using var update = connection.CreateCommand();
        update.CommandText = "UPDATE users SET tier = $tier WHERE id = $id AND tier <> $tier";
        update.With("$id", user.Id.ToString()).With("$tier", user.Tier);
        if (await update.ExecuteNonQueryAsync(cancellationToken) != 1)
        {
            return EnsuredUser.Unchanged;
        }

        _activeKeys.Invalidate();
        return EnsuredUser.TierChanged;
    }

    /// <inheritdoc />
    public async Task<UserRecord?> GetUserAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var query = connection.CreateCommand();
        query.CommandText = $"SELECT {UserColumns} FROM users u WHERE u.id = $id";
        query.With("$id", id.ToString());
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadUser(reader, 0) : null;
    }

    /// <inheritdoc />
    public async Task<UserRecord?> FindUserByEmailAsync(string email, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(email);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var query = connection.CreateCommand();
        query.CommandText = $"SELECT {UserColumns} FROM users u WHERE u.email = $email";
        query.With("$email", email.ToLowerInvariant());
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadUser(reader, 0) : null;
    }

    /// <inheritdoc />
    public async Task<UserRecord?> SetTierAsync(Guid userId, string tier, CancellationToken cancellationToken)
    {
        using var writing = await database.EnterWriteAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var update = connection.CreateCommand();
        update.CommandText = "UPDATE users SET tier = $tier WHERE id = $id RETURNING id, email, tier, is_admin, created_at";
        update.With("$tier", tier).With("$id", userId.ToString());
        try
        {
            await using var reader = await update.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken) ? ReadUser(reader, 0) : null;
        }
        finally
        {
            _activeKeys.Invalidate();
        }
    }

    /// <inheritdoc />
    public async Task<PagedResult<UserRecord>> ListUsersAsync(int offset, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var query = connection.CreateCommand();
        query.CommandText = $"""
            SELECT {UserColumns} FROM users u ORDER BY u.id DESC LIMIT $limit OFFSET $offset;
            SELECT count(*) FROM users;
            """;
        query.With("$limit", limit).With("$offset", offset);
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        var users = new List<UserRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            users.Add(ReadUser(reader, 0));
        }

        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new PagedResult<UserRecord>(users, reader.GetInt64(0));
    }

    /// <inheritdoc />
    public async Task<(ApiKeyRecord Key, UserRecord User)?> FindActiveKeyAsync(
        string keyHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keyHash);
        // Every authenticated request asks: answered from memory, it costs no connection and no statement.
        if (_activeKeys.TryGet(keyHash, out var known) && (known.Key.ExpiresAt is not { } expires || expires > now))
        {
            return known;
        }

        var generation = _activeKeys.Generation;
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var query = connection.CreateCommand();
        query.CommandText = $"""
            SELECT {KeyColumns}, {UserColumns}
            FROM api_keys k JOIN users u ON u.id = k.user_id
            WHERE k.key_hash = $hash AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > $now)
            """;
        query.With("$hash", keyHash).With("$now", SqliteValues.Text(now));
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var match = (ReadKey(reader, 0), ReadUser(reader, 10));
        _activeKeys.Add(keyHash, match, generation);
        return match;
    }

    /// <inheritdoc />
    public async Task RecordKeyUsageAsync(
        IReadOnlyCollection<KeyValuePair<Guid, DateTimeOffset>> usage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(usage);
        if (usage.Count == 0)
        {
            return;
        }

        using var writing = await database.EnterWriteAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        foreach (var (keyId, at) in usage)
        {
            await using var update = connection.CreateCommand();
            update.Transaction = transaction;
            update.CommandText = """
                UPDATE api_keys SET last_used_at = $at WHERE id = $id AND (last_used_at IS NULL OR last_used_at < $at)
                """;
            update.With("$at", SqliteValues.Text(at)).With("$id", keyId.ToString());
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public Task AddKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken) =>
        AddKeyUnderCapAsync(key, maxActiveKeys: null, cancellationToken);

    /// <inheritdoc />
    public Task<bool> TryAddKeyAsync(ApiKeyRecord key, int maxActiveKeys, CancellationToken cancellationToken) =>
        AddKeyUnderCapAsync(key, maxActiveKeys, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(Guid userId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var query = connection.CreateCommand();
        query.CommandText = $"SELECT {KeyColumns} FROM api_keys k WHERE k.user_id = $user ORDER BY k.id DESC";
        query.With("$user", userId.ToString());
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        var keys = new List<ApiKeyRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(ReadKey(reader, 0));
        }

        return keys;
    }

    /// <inheritdoc />
    public async Task RevokeAllKeysAsync(Guid userId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        using var writing = await database.EnterWriteAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var update = connection.CreateCommand();
        update.CommandText = "UPDATE api_keys SET revoked_at = $at WHERE user_id = $user AND revoked_at IS NULL";
        update.With("$at", SqliteValues.Text(at)).With("$user", userId.ToString());
        try
        {
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
        finally
        {
            _activeKeys.Invalidate();
        }
    }

    /// <inheritdoc />
    public async Task<bool> RevokeKeyAsync(Guid userId, Guid keyId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        using var writing = await database.EnterWriteAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var update = connection.CreateCommand();
        update.CommandText = """
            UPDATE api_keys SET revoked_at = coalesce(revoked_at, $at) WHERE id = $id AND user_id = $user
            """;
        update.With("$at", SqliteValues.Text(at)).With("$id", keyId.ToString()).With("$user", userId.ToString());
        try
        {
            return await update.ExecuteNonQueryAsync(cancellationToken) == 1;
        }
        finally
        {
            _activeKeys.Invalidate();
        }
    }

    private async Task<bool> AddKeyUnderCapAsync(
        ApiKeyRecord key, int? maxActiveKeys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        // Writes to this database pass the gate one at a time, so no other key lands between the count and the insert.
        using var writing = await database.EnterWriteAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        if (maxActiveKeys is { } cap)
        {
            await using var count = connection.CreateCommand();
            count.CommandText = """
                SELECT count(*) FROM api_keys k
                WHERE k.user_id = $user AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > $now)
                """;
            count.With("$user", key.UserId.ToString()).With("$now", SqliteValues.Text(key.CreatedAt));
            if (Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) >= cap)
            {
                return false;
            }
        }

        await InsertKeyAsync(connection, null, key, cancellationToken);
        return true;
    }

    private static async Task InsertKeyAsync(
        SqliteConnection connection, SqliteTransaction? transaction, ApiKeyRecord key, CancellationToken cancellationToken)
    {
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO api_keys (id, user_id, name, prefix, key_hash, created_at, revoked_at, scopes, expires_at)
            VALUES ($id, $user, $name, $prefix, $hash, $at, $revoked, $scopes, $expires)
            """;
        insert.With("$id", key.Id.ToString()).With("$user", key.UserId.ToString()).With("$name", key.Name)
            .With("$prefix", key.Prefix).With("$hash", key.KeyHash).With("$at", SqliteValues.Text(key.CreatedAt))
            .With("$revoked", SqliteValues.TextOrNull(key.RevokedAt)).With("$scopes", string.Join(' ', key.Scopes))
            .With("$expires", SqliteValues.TextOrNull(key.ExpiresAt));
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    private static UserRecord ReadUser(SqliteDataReader reader, int first) => new(
        SqliteValues.Id(reader, first),
        reader.GetString(first + 1),
        reader.GetString(first + 2),
        reader.GetInt64(first + 3) != 0,
        SqliteValues.Time(reader, first + 4));

    private static ApiKeyRecord ReadKey(SqliteDataReader reader, int first) => new(
        SqliteValues.Id(reader, first),
        SqliteValues.Id(reader, first + 1),
        reader.GetString(first + 2),
        reader.GetString(first + 3),
        reader.GetString(first + 4),
        SqliteValues.Time(reader, first + 5),
        SqliteValues.TimeOrNull(reader, first + 6),
        reader.GetString(first + 7).Split(' ', StringSplitOptions.RemoveEmptyEntries),
        SqliteValues.TimeOrNull(reader, first + 8),
        SqliteValues.TimeOrNull(reader, first + 9));
}
