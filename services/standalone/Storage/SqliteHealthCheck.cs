using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace WasmWizard.Standalone.Storage;

/// <summary>Ready when the database file can be opened and its schema read (not just a query with no table).</summary>
public sealed class SqliteHealthCheck(SqliteDatabase database) : IHealthCheck
{
    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var query = connection.CreateCommand();
            query.CommandText = "SELECT count(*) FROM sqlite_schema";
            await query.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy("SQLite answers");
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            return HealthCheckResult.Unhealthy("SQLite does not answer", e);
        }
    }
}
