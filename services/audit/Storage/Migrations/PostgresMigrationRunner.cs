using Npgsql;

namespace WasmWizard.Audit.Storage.Migrations;

/// <summary>
/// Brings the audit schema up to date: applies each script that is not yet in <c>audit_schema_migrations</c>, in
/// version order, in one transaction under an advisory lock, so replicas starting together apply each script once
/// and a failed script leaves nothing half done.
/// </summary>
public sealed class PostgresMigrationRunner(NpgsqlDataSource dataSource, IReadOnlyList<PostgresMigration>? scripts = null)
{
    /// <summary>The advisory lock key every runner takes (the bytes of "WWAUDIT1"); the lock is database-wide.</summary>
    public const long LockKey = 0x5757_4155_4449_5431;

    private readonly IReadOnlyList<PostgresMigration> _scripts = scripts ?? PostgresMigration.Embedded;

    /// <summary>Applies the missing scripts; returns how many it applied.</summary>
    /// <exception cref="InvalidOperationException">
    /// An applied script has changed since, or the database knows a version this build does not.
    /// </exception>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var setUp = new NpgsqlCommand(
            """
            SELECT pg_advisory_xact_lock(@key);
            CREATE TABLE IF NOT EXISTS audit_schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now());
            """,
            connection,
            transaction))
        {
            setUp.Parameters.AddWithValue("key", LockKey);
            await setUp.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var applied = new Dictionary<int, string>();
        await using (var read = new NpgsqlCommand("SELECT version, checksum FROM audit_schema_migrations", connection, transaction))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                applied[reader.GetInt32(0)] = reader.GetString(1);
            }
        }

        var known = _scripts.Select(s => s.Version).ToHashSet();
        if (applied.Keys.FirstOrDefault(v => !known.Contains(v)) is var unknown and > 0)
        {
            throw new InvalidOperationException(
                $"The audit database has schema version {unknown}, which this build does not know: it is newer.");
        }

        var count = 0;
        foreach (var script in _scripts)
        {
            if (applied.TryGetValue(script.Version, out var checksum))
            {
                if (!string.Equals(checksum, script.Checksum, StringComparison.Ordinal))
                {
                    throw new InvalidOperationException(
                        $"The audit migration {script.Name} was changed after it was applied; add a new script instead.");
                }

                continue;
            }

            // A script is trusted code from this assembly, run as written; only the bookkeeping takes values.
            await using (var apply = new NpgsqlCommand(script.Sql, connection, transaction))
            {
                await apply.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await using (var record = new NpgsqlCommand(
                "INSERT INTO audit_schema_migrations (version, name, checksum) VALUES (@version, @name, @checksum)",
                connection,
                transaction))
            {
                record.Parameters.AddWithValue("version", script.Version);
                record.Parameters.AddWithValue("name", script.Name);
                record.Parameters.AddWithValue("checksum", script.Checksum);
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            count++;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return count;
    }
}
