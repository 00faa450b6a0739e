using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using WasmWizard.Shared.Ports;
using WasmWizard.Standalone.Storage;

namespace WasmWizard.Dapr.Tests.Infrastructure;

/// <summary>The embedded stores on a real SQLite file in a folder of their own.</summary>
public sealed class SqliteBackend : StorageBackend
{
    private readonly string _directory;

    private SqliteBackend(string directory)
    {
        _directory = directory;
        var database = new SqliteDatabase(Options.Create(new StorageOptions { DataDirectory = directory }));
        Identities = new SqliteIdentityStore(database);
        Modules = new SqliteModuleStore(database);
        Executions = new SqliteExecutionStore(database);
        Jobs = new SqliteExecutionJobStore(database);
    }

    /// <inheritdoc />
    public override IIdentityStore Identities { get; }

    /// <inheritdoc />
    public override IModuleStore Modules { get; }

    /// <inheritdoc />
    public override IExecutionStore Executions { get; }

    /// <inheritdoc />
    public override IExecutionJobStore Jobs { get; }

    /// <summary>Creates the database in a new temporary folder.</summary>
    public static Task<StorageBackend> StartAsync() =>
        Task.FromResult<StorageBackend>(new SqliteBackend(Directory.CreateTempSubdirectory("ww-sqlite-").FullName));

    /// <inheritdoc />
    public override ValueTask DisposeAsync()
    {
        // Pooled connections keep the file open.
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }
}
