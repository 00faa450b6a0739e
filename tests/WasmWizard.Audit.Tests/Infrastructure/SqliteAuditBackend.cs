using Microsoft.Data.Sqlite;
using WasmWizard.Audit.Storage;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Audit.Tests.Infrastructure;

/// <summary>The SQLite store on a file in a temporary folder of its own.</summary>
public sealed class SqliteAuditBackend : AuditBackend
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ww-audit-sqlite-").FullName;
    private readonly SqliteAuditEventStore _store;

    private SqliteAuditBackend()
    {
        _store = new SqliteAuditEventStore(PathOf("audit.db"));
    }

    /// <inheritdoc />
    public override IAuditEventStore Store => _store;

    /// <summary>Starts one.</summary>
    public static Task<AuditBackend> StartAsync() => Task.FromResult<AuditBackend>(new SqliteAuditBackend());

    /// <inheritdoc />
    public override Task<IAuditEventStore> ReplicaAsync() =>
        Task.FromResult<IAuditEventStore>(new SqliteAuditEventStore(PathOf("audit.db")));

    /// <inheritdoc />
    public override Task<IAuditEventStore> StrangerAsync() =>
        Task.FromResult<IAuditEventStore>(new SqliteAuditEventStore(PathOf($"other-{Guid.NewGuid():N}.db")));

    /// <inheritdoc />
    public override object Key(Guid id) => id.ToString("D");

    /// <inheritdoc />
    public override async Task ExecuteAsync(string sql, bool liftGuard, params (string Name, object? Value)[] parameters)
    {
        await using var connection = new SqliteConnection($"Data Source={PathOf("audit.db")}");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = (liftGuard ? "DROP TRIGGER IF EXISTS audit_log_append_only;" : "") + sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue("@" + name, value ?? DBNull.Value);
        }

        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    /// <inheritdoc />
    public override ValueTask DisposeAsync()
    {
        // Pooled connections keep the files open; the folder can only go once they are closed.
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }

    private string PathOf(string file) => Path.Combine(_directory, file);
}
