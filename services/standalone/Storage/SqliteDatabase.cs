using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using WasmWizard.Audit.Storage;
using WasmWizard.Shared.IO;

namespace WasmWizard.Standalone.Storage;

/// <summary>
/// The embedded host's SQLite file: created on first use (owner-only, in an owner-only folder), migrated to the
/// current schema, then opened per unit of work with foreign keys on and a busy timeout. Writes on the hot path go
/// through <see cref="WriteAsync"/>, which queues them on the file's single writer (shared with the audit trail in
/// the same file) and lets writes that arrive together share one durable commit.
/// </summary>
public sealed class SqliteDatabase
{
    private const int SchemaVersion = 4;

    // Version 4: asynchronous executions, which are also the embedded host's durable run queue. The request (with
    // its stdin) is kept only while the job waits or runs; the result only until the retention time has passed.
    // seq gives the queue its order; ids (UUIDv7) give the listing its newest-first keyset order.
    private const string SchemaV4 = """
        CREATE TABLE IF NOT EXISTS execution_jobs (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            tenant_id TEXT NOT NULL,
            module_id TEXT NOT NULL,
            idempotency_key TEXT NULL,
            request_hash TEXT NOT NULL,
            request TEXT NULL,
            status TEXT NOT NULL,
            outcome TEXT NULL,
            exit_code INTEGER NULL,
            duration_ms REAL NULL,
            result TEXT NULL,
            created_at TEXT NOT NULL,
            started_at TEXT NULL,
            completed_at TEXT NULL);
        CREATE UNIQUE INDEX IF NOT EXISTS execution_jobs_idempotency
            ON execution_jobs(tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
        CREATE INDEX IF NOT EXISTS execution_jobs_by_tenant ON execution_jobs(tenant_id, id);
        CREATE INDEX IF NOT EXISTS execution_jobs_by_status ON execution_jobs(status, seq);
        CREATE INDEX IF NOT EXISTS execution_jobs_by_completion ON execution_jobs(completed_at)
            WHERE completed_at IS NOT NULL;
        """;

    // Version 3: audit events, kept here until the audit service stores them.
    private const string SchemaV3 = """
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

    // Version 2: key scopes, expiry and last use. Keys that existed before scopes keep what they could do.
    private const string SchemaV2 = """
        ALTER TABLE api_keys ADD COLUMN scopes TEXT NOT NULL DEFAULT 'execute upload keys';
        ALTER TABLE api_keys ADD COLUMN expires_at TEXT NULL;
        ALTER TABLE api_keys ADD COLUMN last_used_at TEXT NULL;
        UPDATE api_keys SET scopes = 'execute upload keys admin'
            WHERE user_id IN (SELECT id FROM users WHERE is_admin = 1);
        """;

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS users (
            id TEXT PRIMARY KEY,
            email TEXT NOT NULL UNIQUE,
            tier TEXT NOT NULL,
            is_admin INTEGER NOT NULL,
            created_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS api_keys (
            id TEXT PRIMARY KEY,
            user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            prefix TEXT NOT NULL,
            key_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            revoked_at TEXT NULL);
        CREATE INDEX IF NOT EXISTS api_keys_by_user ON api_keys(user_id, id);
        CREATE TABLE IF NOT EXISTS module_blobs (
            sha256 TEXT PRIMARY KEY,
            bytes BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS modules (
            id TEXT PRIMARY KEY,
            owner_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            description TEXT NULL,
            is_public INTEGER NOT NULL,
            sha256 TEXT NOT NULL REFERENCES module_blobs(sha256),
            size_bytes INTEGER NOT NULL,
            created_at TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS modules_by_owner ON modules(owner_id, id);
        CREATE INDEX IF NOT EXISTS modules_public ON modules(is_public, id);
        CREATE INDEX IF NOT EXISTS modules_by_sha256 ON modules(sha256);
        CREATE TABLE IF NOT EXISTS executions (
            id TEXT PRIMARY KEY,
            user_id TEXT NOT NULL,
            module_id TEXT NULL,
            module_sha256 TEXT NOT NULL,
            outcome TEXT NOT NULL,
            exit_code INTEGER NULL,
            duration_ms REAL NOT NULL,
            fuel_consumed INTEGER NULL,
            created_at TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS executions_by_user ON executions(user_id, id);
        """;

    private readonly SqliteWriter _writer;

    /// <summary>Creates the file and schema if needed.</summary>
    public SqliteDatabase(IOptions<StorageOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var path = options.Value.DatabasePath;
        Path = path;
        PrivateFile.EnsureExists(path);
        _writer = SqliteWriter.For(path);
        using (_writer.Enter())
        {
            Migrate();
        }

        AnswerCaches.ForgetAll(path);
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>Opens a connection for one unit of work.</summary>
    public Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        // Microsoft.Data.Sqlite opens synchronously whatever the method is called: nothing to await.
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_writer.Open());
    }

    /// <summary>
    /// Runs <paramref name="write"/> in a write transaction of the file's single writer and returns its result once
    /// committed. Every command <paramref name="write"/> creates must be given the transaction.
    /// </summary>
    public Task<T> WriteAsync<T>(
        Func<SqliteConnection, SqliteTransaction, T> write, CancellationToken cancellationToken) =>
        _writer.WriteAsync(write, cancellationToken);

    /// <summary>
    /// Takes the file's write gate for a write of the caller's own (its own connection and transaction), so that it
    /// waits in this process behind queued writes instead of in SQLite's busy handler. Dispose to release.
    /// </summary>
    public Task<IDisposable> EnterWriteAsync(CancellationToken cancellationToken) =>
        _writer.EnterAsync(cancellationToken);

    /// <summary>Runs one statement, which <paramref name="prepare"/> fills in, as a write; returns the rows changed.</summary>
    public Task<int> ExecuteAsync(Action<SqliteCommand> prepare, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prepare);
        return _writer.WriteAsync((connection, transaction) =>
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            prepare(command);
            return command.ExecuteNonQuery();
        }, cancellationToken);
    }

    private void Migrate()
    {
        using var connection = _writer.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL;";
        command.ExecuteNonQuery();
        command.CommandText = "PRAGMA user_version;";
        var version = Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        if (version > SchemaVersion)
        {
            throw new InvalidOperationException(
                $"The database {Path} has schema version {version}, newer than this build understands ({SchemaVersion}).");
        }

        using var transaction = connection.BeginTransaction();
        command.Transaction = transaction;
        command.CommandText = Schema;
        command.ExecuteNonQuery();
        if (version < 2)
        {
            command.CommandText = SchemaV2;
            command.ExecuteNonQuery();
        }

        if (version < 3)
        {
            command.CommandText = SchemaV3;
            command.ExecuteNonQuery();
        }

        if (version < 4)
        {
            command.CommandText = SchemaV4;
            command.ExecuteNonQuery();
        }

        command.CommandText = $"PRAGMA user_version = {SchemaVersion};";
        command.ExecuteNonQuery();
        transaction.Commit();
    }
}
