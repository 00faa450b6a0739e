using Npgsql;
using WasmWizard.Audit.Storage;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Audit.Tests.Infrastructure;

/// <summary>The PostgreSQL store on a schema of its own in the test class's database.</summary>
public sealed class PostgresAuditBackend : AuditBackend
{
    private readonly PostgresDatabase _database;
    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresAuditEventStore _store;

    private PostgresAuditBackend(PostgresDatabase database, NpgsqlDataSource dataSource)
    {
        _database = database;
        _dataSource = dataSource;
        _store = new PostgresAuditEventStore(dataSource);
    }

    /// <inheritdoc />
    public override IAuditEventStore Store => _store;

    /// <summary>The data source the store uses.</summary>
    public NpgsqlDataSource DataSource => _dataSource;

    /// <summary>Starts one in <paramref name="database"/>.</summary>
    public static async Task<AuditBackend> StartAsync(PostgresDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        var backend = new PostgresAuditBackend(database, await database.NewSchemaAsync(TestContext.Current.CancellationToken));
        await backend._store.InitializeAsync(TestContext.Current.CancellationToken);
        return backend;
    }

    /// <inheritdoc />
    public override Task<IAuditEventStore> ReplicaAsync()
    {
        var schema = new NpgsqlConnectionStringBuilder(_dataSource.ConnectionString).SearchPath!;
        return Task.FromResult<IAuditEventStore>(new PostgresAuditEventStore(_database.DataSource(schema)));
    }

    /// <inheritdoc />
    public override async Task<IAuditEventStore> StrangerAsync() =>
        new PostgresAuditEventStore(await _database.NewSchemaAsync(TestContext.Current.CancellationToken));

    /// <inheritdoc />
    public override object Key(Guid id) => id;

    /// <inheritdoc />
    public override async Task ExecuteAsync(string sql, bool liftGuard, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(TestContext.Current.CancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(TestContext.Current.CancellationToken);
        if (liftGuard)
        {
            await using var disable = new NpgsqlCommand(
                "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only", connection, transaction);
            await disable.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        await using (var command = new NpgsqlCommand(sql, connection, transaction))
        {
            foreach (var (name, value) in parameters)
            {
                // Strings go untyped, so the server reads them as whatever the column is (text, json).
                command.Parameters.Add(value is string text
                    ? new NpgsqlParameter(name, NpgsqlTypes.NpgsqlDbType.Unknown) { Value = text }
                    : new NpgsqlParameter(name, value ?? DBNull.Value));
            }

            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        if (liftGuard)
        {
            await using var enable = new NpgsqlCommand(
                "ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only", connection, transaction);
            await enable.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        await transaction.CommitAsync(TestContext.Current.CancellationToken);
    }

    /// <inheritdoc />
    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
