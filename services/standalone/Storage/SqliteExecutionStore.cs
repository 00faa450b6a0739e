using Microsoft.Data.Sqlite;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Standalone.Storage;

/// <summary>The run history in the embedded SQLite database.</summary>
public sealed class SqliteExecutionStore(SqliteDatabase database) : IExecutionStore
{
    /// <inheritdoc />
    public Task AddAsync(ExecutionRecord execution, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(execution);
        return database.WriteAsync(
            (connection, transaction) => Insert(connection, transaction, execution), cancellationToken);
    }

    private static int Insert(SqliteConnection connection, SqliteTransaction transaction, ExecutionRecord execution)
    {
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO executions (id, user_id, module_id, module_sha256, outcome, exit_code, duration_ms, fuel_consumed, created_at)
            VALUES ($id, $user, $module, $sha, $outcome, $exit, $duration, $fuel, $at)
            """;
        insert.With("$id", execution.Id.ToString()).With("$user", execution.UserId.ToString())
            .With("$module", execution.ModuleId?.ToString()).With("$sha", execution.ModuleSha256)
            .With("$outcome", execution.Outcome).With("$exit", execution.ExitCode).With("$duration", execution.DurationMs)
            .With("$fuel", execution.FuelConsumed is { } fuel ? (long?)Math.Min(fuel, long.MaxValue) : null)
            .With("$at", SqliteValues.Text(execution.CreatedAt));
        return insert.ExecuteNonQuery();
    }
}
