using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Standalone.Storage;

/// <summary>
/// Asynchronous executions in the embedded SQLite database. The rows in state <c>queued</c> are also the embedded
/// host's run queue, so a job survives a restart simply by being a row (see <c>EmbeddedExecutionQueue</c>).
/// </summary>
public sealed class SqliteExecutionJobStore(SqliteDatabase database) : IExecutionJobStore
{
    private const string Columns = """
        id, tenant_id, module_id, idempotency_key, request_hash, request, status, created_at, started_at, completed_at,
        result
        """;

    private const string SummaryColumns =
        "id, module_id, status, created_at, started_at, completed_at, outcome, exit_code, duration_ms";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <inheritdoc />
    public async Task<(ExecutionJob Job, bool Created)> CreateAsync(ExecutionJob job, CancellationToken cancellationToken) =>
        await CreateWithinAsync(job, int.MaxValue, cancellationToken) is ({ } stored, var created)
            ? (stored, created)
            : throw new InvalidOperationException($"Execution job {job.Id} was neither stored nor found under its key.");

    /// <inheritdoc />
    public async Task<(ExecutionJob? Job, bool Created)> CreateWithinAsync(
        ExecutionJob job, int maxPending, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var request = job.Request is null ? null : JsonSerializer.Serialize(job.Request, Json);

        // One statement, so neither two submits racing with the same key nor a burst of submits racing for the last
        // places in the backlog can both insert: SQLite runs it under its write lock, and the unique index decides
        // on keys.
        var inserted = await database.ExecuteAsync(insert =>
        {
            insert.CommandText = """
                INSERT INTO execution_jobs (id, tenant_id, module_id, idempotency_key, request_hash, request, status, created_at)
                SELECT $id, $tenant, $module, $key, $hash, $request, $status, $at
                WHERE (SELECT count(*) FROM execution_jobs WHERE tenant_id = $tenant AND status <> 'completed') < $max
                ON CONFLICT DO NOTHING
                """;
            insert.With("$id", job.Id.ToString()).With("$tenant", job.TenantId.ToString())
                .With("$module", job.ModuleId.ToString()).With("$key", job.IdempotencyKey).With("$hash", job.RequestHash)
                .With("$request", request).With("$status", job.Status).With("$at", SqliteValues.Text(job.CreatedAt))
                .With("$max", maxPending);
        }, cancellationToken);
        if (inserted == 1)
        {
            return (job, true);
        }

        if (job.IdempotencyKey is null)
        {
            return (null, false);
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var query = connection.CreateCommand();
        query.CommandText = $"SELECT {Columns} FROM execution_jobs WHERE tenant_id = $tenant AND idempotency_key = $key";
        query.With("$tenant", job.TenantId.ToString()).With("$key", job.IdempotencyKey);
        var existing = await ReadJobsAsync(query, cancellationToken);
        return existing.Count == 1 ? (existing[0], false) : (null, false);
    }

    /// <inheritdoc />
    public async Task<ExecutionJob?> GetAsync(Guid tenantId, Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var query = connection.CreateCommand();
        query.CommandText = $"SELECT {Columns} FROM execution_jobs WHERE id = $id AND tenant_id = $tenant";
        query.With("$id", id.ToString()).With("$tenant", tenantId.ToString());
        return (await ReadJobsAsync(query, cancellationToken)).SingleOrDefault();
    }

    /// <inheritdoc />
    public async Task<int> CountPendingAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM execution_jobs WHERE tenant_id = $tenant AND status <> 'completed'";
        count.Parameters.AddWithValue("$tenant", tenantId.ToString());
        return Convert.ToInt32(await count.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    public async Task<ExecutionJobPage> ListAsync(ExecutionJobQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        Guid? after = query.Cursor is null ? null : DecodeCursor(query.Cursor);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var select = connection.CreateCommand();
        select.CommandText = $"""
            SELECT {SummaryColumns} FROM execution_jobs
            WHERE tenant_id = $tenant AND ($module IS NULL OR module_id = $module)
              AND ($outcome IS NULL OR outcome = $outcome) AND ($after IS NULL OR id < $after)
            ORDER BY id DESC LIMIT $limit
            """;
        select.With("$tenant", query.TenantId.ToString()).With("$module", query.ModuleId?.ToString())
            .With("$outcome", query.Outcome).With("$after", after?.ToString()).With("$limit", query.Limit + 1);
        var jobs = new List<ExecutionJobSummary>();
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                jobs.Add(new ExecutionJobSummary(
                    SqliteValues.Id(reader, 0), SqliteValues.Id(reader, 1), reader.GetString(2), SqliteValues.Time(reader, 3),
                    SqliteValues.TimeOrNull(reader, 4), SqliteValues.TimeOrNull(reader, 5),
                    reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetInt32(7),
                    reader.IsDBNull(8) ? null : reader.GetDouble(8)));
            }
        }

        // One row more than asked says whether another page exists without a count over the whole history.
        if (jobs.Count <= query.Limit)
        {
            return new ExecutionJobPage(jobs, null);
        }

        jobs.RemoveAt(jobs.Count - 1);
        return new ExecutionJobPage(jobs, EncodeCursor(jobs[^1].Id));
    }

    /// <inheritdoc />
    public async Task<bool> TryMarkRunningAsync(Guid id, DateTimeOffset at, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(update =>
        {
            update.CommandText = """
                UPDATE execution_jobs SET status = 'running', started_at = $at WHERE id = $id AND status = 'queued'
                """;
            update.With("$id", id.ToString()).With("$at", SqliteValues.Text(at));
        }, cancellationToken) == 1;

    /// <inheritdoc />
    public Task ReleaseAsync(Guid id, CancellationToken cancellationToken) =>
        database.ExecuteAsync(update =>
        {
            update.CommandText = """
                UPDATE execution_jobs SET status = 'queued', started_at = NULL WHERE id = $id AND status = 'running'
                """;
            update.With("$id", id.ToString());
        }, cancellationToken);

    /// <inheritdoc />
    public async Task CompleteAsync(Guid id, RunResult result, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        var serialized = JsonSerializer.Serialize(result, Json);
        await database.ExecuteAsync(update =>
        {
            update.CommandText = """
                UPDATE execution_jobs
                SET status = 'completed', request = NULL, outcome = $outcome, exit_code = $exit, duration_ms = $duration,
                    result = $result, completed_at = $at
                WHERE id = $id AND status <> 'completed'
                """;
            update.With("$id", id.ToString()).With("$outcome", result.Outcome).With("$exit", result.ExitCode)
                .With("$duration", result.DurationMs).With("$result", serialized).With("$at", SqliteValues.Text(at));
        }, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Refusal codes are not kept here (see <see cref="ExecutionJob.RefusalCode"/>): the embedded host refuses at
    /// submit time, so this is only the completion.
    /// </remarks>
    public Task RefuseAsync(
        Guid id, string refusalCode, RunResult result, DateTimeOffset at, CancellationToken cancellationToken) =>
        CompleteAsync(id, result, at, cancellationToken);

    /// <inheritdoc />
    public Task<int> RemoveCompletedBeforeAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken) =>
        database.ExecuteAsync(delete =>
        {
            delete.CommandText = """
                DELETE FROM execution_jobs WHERE seq IN (
                    SELECT seq FROM execution_jobs WHERE completed_at IS NOT NULL AND completed_at < $cutoff LIMIT $limit)
                """;
            delete.With("$cutoff", SqliteValues.Text(cutoff)).With("$limit", limit);
        }, cancellationToken);

    /// <summary>
    /// Up to <paramref name="limit"/> queued jobs, oldest first, skipping the tenants in <paramref name="skipTenants"/>
    /// (those at their cap, whose jobs wait without holding up everyone else's).
    /// </summary>
    public async Task<IReadOnlyList<ExecutionJob>> QueuedAsync(
        IReadOnlyCollection<Guid> skipTenants, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(skipTenants);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var query = connection.CreateCommand();
        query.CommandText = $"""
            SELECT {Columns} FROM execution_jobs
            WHERE status = 'queued' AND tenant_id NOT IN (SELECT value FROM json_each($skip))
            ORDER BY seq LIMIT $limit
            """;
        query.With("$skip", JsonSerializer.Serialize(skipTenants.Select(t => t.ToString()))).With("$limit", limit);
        return await ReadJobsAsync(query, cancellationToken);
    }

    /// <summary>
    /// Ends every job still marked running, which after a restart means its process died mid-run: it is completed as
    /// <see cref="ExecutionOutcome.Interrupted"/> rather than run a second time. Returns the ids.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> InterruptRunningAsync(DateTimeOffset at, CancellationToken cancellationToken)
    {
        var result = new RunResult(
            ExecutionOutcome.Interrupted, null, null,
            "The service stopped while this execution was running; it was not run again. Submit it again if it is safe to.",
            [], false, [], false, 0, null);
        var serialized = JsonSerializer.Serialize(result, Json);
        return await database.WriteAsync<IReadOnlyList<Guid>>((connection, transaction) =>
        {
            using var update = connection.CreateCommand();
            update.Transaction = transaction;
            update.CommandText = """
                UPDATE execution_jobs
                SET status = 'completed', request = NULL, outcome = $outcome, exit_code = NULL, duration_ms = 0,
                    result = $result, completed_at = $at
                WHERE status = 'running'
                RETURNING id
                """;
            update.With("$outcome", result.Outcome).With("$result", serialized).With("$at", SqliteValues.Text(at));
            var ids = new List<Guid>();
            using var reader = update.ExecuteReader();
            while (reader.Read())
            {
                ids.Add(SqliteValues.Id(reader, 0));
            }

            return ids;
        }, cancellationToken);
    }

    // Opaque to clients, but only an id inside: a forged cursor can at most start a page somewhere in one's own list.
    private static string EncodeCursor(Guid id) => Convert.ToBase64String(Encoding.UTF8.GetBytes("v1:" + id));

    private static Guid DecodeCursor(string cursor)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(cursor));
            if (text.StartsWith("v1:", StringComparison.Ordinal) && Guid.TryParse(text.AsSpan(3), out var id))
            {
                return id;
            }
        }
        catch (FormatException)
        {
            // Reported below like any other cursor this store did not hand out.
        }

        throw new ArgumentException("The cursor was not handed out by this store.", nameof(cursor));
    }

    private static async Task<List<ExecutionJob>> ReadJobsAsync(SqliteCommand query, CancellationToken cancellationToken)
    {
        var jobs = new List<ExecutionJob>();
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            jobs.Add(new ExecutionJob(
                SqliteValues.Id(reader, 0),
                SqliteValues.Id(reader, 1),
                SqliteValues.Id(reader, 2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetString(4),
                reader.IsDBNull(5) ? null : JsonSerializer.Deserialize<ExecutionJobRequest>(reader.GetString(5), Json),
                reader.GetString(6),
                SqliteValues.Time(reader, 7),
                SqliteValues.TimeOrNull(reader, 8),
                SqliteValues.TimeOrNull(reader, 9),
                reader.IsDBNull(10) ? null : JsonSerializer.Deserialize<RunResult>(reader.GetString(10), Json)));
        }

        return jobs;
    }
}
