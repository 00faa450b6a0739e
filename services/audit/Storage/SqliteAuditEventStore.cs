using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.IO;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Audit.Storage;

/// <summary>
/// The audit trail in a SQLite file: one row per event id, never updated or deleted. The embedded host points it at
/// its own database; the audit service at a file of its own.
/// </summary>
public sealed class SqliteAuditEventStore : IAuditEventStore
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS audit_events (
            id TEXT PRIMARY KEY,
            type TEXT NOT NULL,
            occurred_at TEXT NOT NULL,
            actor_user_id TEXT NULL,
            actor_key_id TEXT NULL,
            actor_key_prefix TEXT NULL,
            subject_user_id TEXT NULL,
            subject_key_id TEXT NULL,
            client_address TEXT NULL,
            request_id TEXT NULL,
            details TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS audit_events_by_time ON audit_events(occurred_at);
        """;

    private readonly string _connectionString;

    /// <summary>Opens (creating when missing, owner-only) the trail in <paramref name="path"/>.</summary>
    public SqliteAuditEventStore(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        path = Path.GetFullPath(path);
        if (Path.GetDirectoryName(path) is { } directory && !Directory.Exists(directory))
        {
            PrivateFile.CreateDirectory(directory);
        }

        if (!File.Exists(path))
        {
            PrivateFile.CreateNew(path).Dispose();
        }

        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var create = connection.CreateCommand();
        create.CommandText = "PRAGMA journal_mode = WAL;" + Schema;
        create.ExecuteNonQuery();
    }

    /// <inheritdoc />
    public async Task<bool> AppendAsync(AuditEvent @event, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(@event);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var insert = connection.CreateCommand();
        insert.CommandText = """
            INSERT INTO audit_events (id, type, occurred_at, actor_user_id, actor_key_id, actor_key_prefix,
                subject_user_id, subject_key_id, client_address, request_id, details)
            VALUES ($id, $type, $at, $actor, $key, $prefix, $subject, $subjectKey, $address, $request, $details)
            ON CONFLICT (id) DO NOTHING
            """;
        Add(insert, "$id", @event.Id.ToString());
        Add(insert, "$type", @event.Type);
        Add(insert, "$at", @event.OccurredAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        Add(insert, "$actor", @event.ActorUserId?.ToString());
        Add(insert, "$key", @event.ActorKeyId?.ToString());
        Add(insert, "$prefix", @event.ActorKeyPrefix);
        Add(insert, "$subject", @event.SubjectUserId?.ToString());
        Add(insert, "$subjectKey", @event.SubjectKeyId?.ToString());
        Add(insert, "$address", @event.ClientAddress);
        Add(insert, "$request", @event.RequestId);
        Add(insert, "$details", JsonSerializer.Serialize(@event.Details));
        return await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<AuditEvent>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var query = connection.CreateCommand();
        query.CommandText = """
            SELECT id, type, occurred_at, actor_user_id, actor_key_id, actor_key_prefix, subject_user_id, subject_key_id,
                client_address, request_id, details
            FROM audit_events ORDER BY occurred_at DESC, id DESC LIMIT $limit
            """;
        Add(query, "$limit", limit);
        await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var events = new List<AuditEvent>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            events.Add(new AuditEvent(
                Guid.Parse(reader.GetString(0)),
                reader.GetString(1),
                DateTimeOffset.Parse(reader.GetString(2), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                OptionalId(reader, 3),
                OptionalId(reader, 4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                OptionalId(reader, 6),
                OptionalId(reader, 7),
                reader.IsDBNull(8) ? null : reader.GetString(8),
                reader.IsDBNull(9) ? null : reader.GetString(9),
                JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(10)) ?? []));
        }

        return events;
    }

    /// <summary>Whether the file answers a query (for readiness).</summary>
    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var query = connection.CreateCommand();
        query.CommandText = "SELECT count(*) FROM audit_events WHERE 0";
        await query.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static void Add(SqliteCommand command, string name, object? value) =>
        command.Parameters.AddWithValue(name, value ?? DBNull.Value);

    private static Guid? OptionalId(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : Guid.Parse(reader.GetString(ordinal));

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using var pragmas = connection.CreateCommand();
            pragmas.CommandText = "PRAGMA busy_timeout = 5000;";
            await pragmas.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
