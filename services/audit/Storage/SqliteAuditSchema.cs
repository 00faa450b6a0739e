using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using WasmWizard.Shared.Contracts.Events;

namespace WasmWizard.Audit.Storage;

/// <summary>
/// The SQLite trail's tables, and the move of the unchained <c>audit_events</c> table (the embedded database's schema
/// version 3) into them.
/// </summary>
internal static class SqliteAuditSchema
{
    /// <summary>The legacy table the embedded database's schema version 3 creates.</summary>
    public const string LegacyTable = "audit_events";

    // AUTOINCREMENT, so a sequence number is never handed out twice even after the newest rows are removed: a cursor
    // then never points into rows that came later.
    // occurred_at: microseconds since the Unix epoch (UTC), exact like PostgreSQL's timestamptz.
    // chain: the tenant id, or the nil id for events without a tenant (AuditChain.ChainOf).
    // The trigger: rows are removed by retention only, never changed, so a change takes a deliberate extra step.
    private const string Tables = """
        CREATE TABLE IF NOT EXISTS audit_log (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            chain TEXT NOT NULL,
            position INTEGER NOT NULL,
            prev_hash BLOB NOT NULL,
            row_hash BLOB NOT NULL,
            type TEXT NOT NULL,
            occurred_at INTEGER NOT NULL,
            actor_user_id TEXT NULL,
            actor_key_id TEXT NULL,
            actor_key_prefix TEXT NULL,
            subject_user_id TEXT NULL,
            subject_key_id TEXT NULL,
            client_address TEXT NULL,
            request_id TEXT NULL,
            details TEXT NOT NULL,
            tenant_id TEXT NULL,
            actor TEXT NULL,
            subject TEXT NULL,
            source TEXT NULL,
            trace_id TEXT NULL,
            UNIQUE (chain, position));
        CREATE INDEX IF NOT EXISTS audit_log_by_chain ON audit_log(chain, seq);
        CREATE INDEX IF NOT EXISTS audit_log_by_type ON audit_log(type, seq);
        CREATE INDEX IF NOT EXISTS audit_log_by_actor ON audit_log(actor, seq);
        CREATE INDEX IF NOT EXISTS audit_log_by_subject ON audit_log(subject, seq);
        CREATE INDEX IF NOT EXISTS audit_log_by_time ON audit_log(occurred_at);
        CREATE TABLE IF NOT EXISTS audit_chains (
            chain TEXT PRIMARY KEY,
            head_position INTEGER NOT NULL,
            head_hash BLOB NOT NULL,
            anchor_position INTEGER NOT NULL DEFAULT 0,
            anchor_hash BLOB NULL);
        CREATE TABLE IF NOT EXISTS audit_settings (
            name TEXT PRIMARY KEY,
            value BLOB NOT NULL);
        CREATE TRIGGER IF NOT EXISTS audit_log_append_only BEFORE UPDATE ON audit_log
        BEGIN
            SELECT RAISE(ABORT, 'audit_log is append-only');
        END;
        """;

    /// <summary>
    /// Creates the tables, chains the legacy table's events (oldest first) and drops it, and returns the cursor key,
    /// all in one write transaction, so two stores opening one file at once do it once.
    /// </summary>
    public static byte[] Create(SqliteConnection connection, Action<SqliteTransaction, AuditEvent> append)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = Tables;
        command.ExecuteNonQuery();

        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $name";
        command.Parameters.AddWithValue("$name", LegacyTable);
        if (Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) > 0)
        {
            foreach (var legacy in ReadLegacy(connection, transaction))
            {
                append(transaction, legacy);
            }

            // A constant name: DDL takes no parameters.
            command.CommandText = "DROP TABLE audit_events";
            command.ExecuteNonQuery();
        }

        command.Parameters.Clear();
        command.CommandText = """
            INSERT INTO audit_settings (name, value) VALUES ('cursor_key', $key) ON CONFLICT (name) DO NOTHING;
            SELECT value FROM audit_settings WHERE name = 'cursor_key';
            """;
        command.Parameters.AddWithValue("$key", AuditCursor.NewKey());
        var key = (byte[])command.ExecuteScalar()!;
        transaction.Commit();
        return key;
    }

    private static List<AuditEvent> ReadLegacy(SqliteConnection connection, SqliteTransaction transaction)
    {
        using var read = connection.CreateCommand();
        read.Transaction = transaction;
        read.CommandText = """
            SELECT id, type, occurred_at, actor_user_id, actor_key_id, actor_key_prefix, subject_user_id,
                subject_key_id, client_address, request_id, details
            FROM audit_events ORDER BY occurred_at, rowid
            """;
        using var reader = read.ExecuteReader();
        var events = new List<AuditEvent>();
        while (reader.Read())
        {
            var actorUser = OptionalGuid(reader, 3);
            var subjectUser = OptionalGuid(reader, 6);
            events.Add(new AuditEvent(
                Guid.Parse(reader.GetString(0)),
                reader.GetString(1),
                DateTimeOffset.Parse(reader.GetString(2), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                actorUser,
                OptionalGuid(reader, 4),
                OptionalString(reader, 5),
                subjectUser,
                OptionalGuid(reader, 7),
                OptionalString(reader, 8),
                OptionalString(reader, 9),
                JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(10)) ?? [])
            {
                // The rule AuditEvent.TenantId states; the other new fields were never recorded, so they stay empty.
                TenantId = subjectUser ?? actorUser,
            });
        }

        return events;
    }

    private static Guid? OptionalGuid(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : Guid.Parse(reader.GetString(ordinal));

    private static string? OptionalString(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
