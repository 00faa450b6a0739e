using Npgsql;

namespace WasmWizard.Audit.Tests.Infrastructure;

/// <summary>
/// A database of one test class (CREATE DATABASE), so test classes run in parallel without meeting; each test then
/// takes a schema of its own in it, so tests in a class start from an empty trail too.
/// </summary>
public sealed class PostgresDatabase(PostgresServer server) : IAsyncLifetime
{
    private readonly List<NpgsqlDataSource> _dataSources = [];
    private string? _adminConnectionString;

    /// <summary>The database's name.</summary>
    public string Name { get; } = "ww_audit_" + Guid.NewGuid().ToString("N");

    /// <summary>A connection string to the database, with no schema chosen.</summary>
    public string ConnectionString { get; private set; } = null!;

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        _adminConnectionString = await server.AdminConnectionStringAsync(TestContext.Current.CancellationToken);
        await using var admin = new NpgsqlConnection(_adminConnectionString);
        await admin.OpenAsync(TestContext.Current.CancellationToken);
        // Identifiers take no parameters; the name is "ww_audit_" and hex digits only.
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{Name}\"", admin);
        await create.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        ConnectionString = new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = Name }.ConnectionString;
    }

    /// <summary>A fresh empty schema, and a data source whose search path starts there (disposed with the class).</summary>
    public async Task<NpgsqlDataSource> NewSchemaAsync(CancellationToken cancellationToken)
    {
        var schema = "t_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await using var create = new NpgsqlCommand($"CREATE SCHEMA \"{schema}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        return DataSource(schema);
    }

    /// <summary>Another data source on <paramref name="schema"/>: a second replica of the same trail.</summary>
    public NpgsqlDataSource DataSource(string schema)
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = schema, MaxPoolSize = 30 };
        var dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        lock (_dataSources)
        {
            _dataSources.Add(dataSource);
        }

        return dataSource;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var dataSource in _dataSources)
        {
            await dataSource.DisposeAsync();
        }

        if (_adminConnectionString is null)
        {
            return;
        }

        await using var admin = new NpgsqlConnection(_adminConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}
