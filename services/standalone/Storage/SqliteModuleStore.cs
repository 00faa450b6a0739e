using Microsoft.Data.Sqlite;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Standalone.Storage;

/// <summary>
/// Modules in the embedded SQLite database: metadata per upload, bytes once per distinct content (SHA-256).
/// It is also where the in-process executor finds the bytes of a stored module.
/// </summary>
public sealed class SqliteModuleStore(SqliteDatabase database) : IModuleStore, IModuleBytesSource
{
    private const string Columns = "m.id, m.owner_id, m.name, m.description, m.is_public, m.sha256, m.size_bytes, m.created_at";

    // A module's record never changes once stored; only a deletion empties it.
    private readonly AnswerCache<Guid, ModuleRecord> _modules = AnswerCache<Guid, ModuleRecord>.For(database.Path);

    /// <inheritdoc />
    public async Task AddAsync(ModuleRecord module, byte[] bytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(bytes);
        using var writing = await database.EnterWriteAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using (var blob = connection.CreateCommand())
        {
            blob.Transaction = transaction;
            blob.CommandText = "INSERT INTO module_blobs (sha256, bytes) VALUES ($sha, $bytes) ON CONFLICT (sha256) DO NOTHING";
            blob.With("$sha", module.Sha256).With("$bytes", bytes);
            await blob.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO modules (id, owner_id, name, description, is_public, sha256, size_bytes, created_at)
                VALUES ($id, $owner, $name, $description, $public, $sha, $size, $at)
                """;
            insert.With("$id", module.Id.ToString()).With("$owner", module.OwnerId.ToString()).With("$name", module.Name)
                .With("$description", module.Description).With("$public", module.IsPublic ? 1 : 0)
                .With("$sha", module.Sha256).With("$size", module.SizeBytes).With("$at", SqliteValues.Text(module.CreatedAt));
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<ModuleRecord?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        // Every run of a stored module asks: answered from memory, it costs no connection and no statement.
        if (_modules.TryGet(id, out var known))
        {
            return known;
        }

        var generation = _modules.Generation;
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var query = connection.CreateCommand();
        query.CommandText = $"SELECT {Columns} FROM modules m WHERE m.id = $id";
        query.With("$id", id.ToString());
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var module = Read(reader);
        _modules.Add(id, module, generation);
        return module;
    }

    /// <inheritdoc />
    public async Task<PagedResult<ModuleRecord>> ListAsync(
        Guid ownerId, bool includePublic, int offset, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var query = connection.CreateCommand();
        var filter = includePublic ? "(m.owner_id = $owner OR m.is_public = 1)" : "m.owner_id = $owner";
        query.CommandText = $"""
            SELECT {Columns} FROM modules m WHERE {filter} ORDER BY m.id DESC LIMIT $limit OFFSET $offset;
            SELECT count(*) FROM modules m WHERE {filter};
            """;
        query.With("$owner", ownerId.ToString()).With("$limit", limit).With("$offset", offset);
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        var modules = new List<ModuleRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            modules.Add(Read(reader));
        }

        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new PagedResult<ModuleRecord>(modules, reader.GetInt64(0));
    }

    /// <inheritdoc />
    public async Task<ModuleUsage> GetUsageAsync(Guid ownerId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var query = connection.CreateCommand();
        query.CommandText = "SELECT count(*), coalesce(sum(size_bytes), 0) FROM modules WHERE owner_id = $owner";
        query.With("$owner", ownerId.ToString());
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new ModuleUsage(reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <inheritdoc />
    public async Task<DeletedModule?> DeleteAsync(Guid ownerId, Guid moduleId, CancellationToken cancellationToken)
    {
        using var writing = await database.EnterWriteAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var delete = connection.CreateCommand();
        delete.Transaction = transaction;
        delete.CommandText = """
            DELETE FROM modules WHERE id = $id AND owner_id = $owner RETURNING sha256;
            """;
        delete.With("$id", moduleId.ToString()).With("$owner", ownerId.ToString());
        var sha256 = await delete.ExecuteScalarAsync(cancellationToken) as string;
        if (sha256 is null)
        {
            return null;
        }

        // The bytes go once no other upload shares them.
        await using var orphan = connection.CreateCommand();
        orphan.Transaction = transaction;
        orphan.CommandText = """
            DELETE FROM module_blobs WHERE sha256 = $sha AND NOT EXISTS (SELECT 1 FROM modules WHERE sha256 = $sha)
            """;
        orphan.With("$sha", sha256);
        var lastCopy = await orphan.ExecuteNonQueryAsync(cancellationToken) == 1;
        try
        {
            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            _modules.Invalidate();
        }

        if (lastCopy)
        {
            // secure_delete zeroed the freed pages; folding the journal into the file drops its old copies too.
            await using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            await checkpoint.ExecuteNonQueryAsync(cancellationToken);
        }

        return new DeletedModule(sha256, lastCopy);
    }

    /// <inheritdoc />
    public async Task<byte[]?> GetBytesAsync(string sha256, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var query = connection.CreateCommand();
        query.CommandText = "SELECT bytes FROM module_blobs WHERE sha256 = $sha";
        query.With("$sha", sha256);
        return await query.ExecuteScalarAsync(cancellationToken) as byte[];
    }

    /// <inheritdoc />
    public Task<byte[]?> GetModuleBytesAsync(string sha256, CancellationToken cancellationToken) =>
        GetBytesAsync(sha256, cancellationToken);

    private static ModuleRecord Read(SqliteDataReader reader) => new(
        SqliteValues.Id(reader, 0),
        SqliteValues.Id(reader, 1),
        reader.GetString(2),
        reader.IsDBNull(3) ? null : reader.GetString(3),
        reader.GetInt64(4) != 0,
        reader.GetString(5),
        reader.GetInt64(6),
        SqliteValues.Time(reader, 7));
}
