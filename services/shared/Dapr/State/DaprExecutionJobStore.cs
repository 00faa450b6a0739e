using System.Text;
using Dapr.Client;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Ports;
using static WasmWizard.Shared.Dapr.State.StateStoreClient;

namespace WasmWizard.Shared.Dapr.State;

/// <summary>
/// Asynchronous executions in the shared Dapr state store, for the distributed deployment. Behaves as the embedded
/// SQLite store does; the key model is in <c>services/shared/Dapr/README.md</c>.
/// </summary>
/// <remarks>
/// Index sizes: <c>jobs:{tenant}</c> has about 150 bytes per job the tenant submitted and retention still keeps,
/// rewritten on each submit and completion of that tenant; <c>jobs-completed</c> has about 130 bytes per completed
/// job of every tenant still kept, rewritten on every completion and every retention pass.
/// </remarks>
public sealed class DaprExecutionJobStore(DaprClient dapr, TimeProvider time) : IExecutionJobStore
{
    /// <summary>
    /// Jobs removed per transaction: each takes up to four operations, and some stores cap a transaction's size
    /// (Cosmos DB at 100), so a large retention batch is split rather than refused.
    /// </summary>
    private const int RemovalChunk = 20;

    private const string CursorPrefix = "v1:";

    private readonly StateStoreClient _state = new(dapr, time);

    /// <inheritdoc />
    public async Task<(ExecutionJob Job, bool Created)> CreateAsync(
        ExecutionJob job, CancellationToken cancellationToken) =>
        await CreateWithinAsync(job, int.MaxValue, cancellationToken) is ({ } stored, var created)
            ? (stored, created)
            : throw new InvalidOperationException($"Execution job {job.Id} was neither stored nor found under its key.");

    /// <inheritdoc />
    public async Task<(ExecutionJob? Job, bool Created)> CreateWithinAsync(
        ExecutionJob job, int maxPending, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var stored = Stored(job);
        var jobKey = StateKeys.ExecutionJob(job.Id);
        var pointerKey = job.IdempotencyKey is { } idempotencyKey
            ? StateKeys.ExecutionJobKey(job.TenantId, idempotencyKey)
            : null;
        await _state.EnsureAsync(StateKeys.TenantJobs(job.TenantId), JobIndex.Empty, cancellationToken);
        return await _state.RetryAsync(
            "create execution job",
            async () =>
            {
                // The tenant's index is read before the pointer and checked by its ETag: a submit with the same key
                // that commits after this read makes this pass fail (even where first-write inside a transaction
                // is not enforced), and one that committed before it left a pointer the next read finds.
                var index = await _state.ReadAsync<JobIndex>(StateKeys.TenantJobs(job.TenantId), cancellationToken);
                if (pointerKey is not null
                    && await FindByKeyAsync(job.TenantId, pointerKey, cancellationToken) is { } first)
                {
                    return Attempt<(ExecutionJob?, bool)>.Done((first, false));
                }

                // Checked before the backlog: a job already stored under this id (a copy of the same execution
                // request, admitted a moment earlier) counts in the backlog itself, so counting first answered
                // "backlog full" to the duplicate of a request that runs. Without this check a second job with the
                // same id would also fail first-write on every pass.
                if (await _state.AnyExistsAsync([jobKey], cancellationToken))
                {
                    throw new InvalidOperationException($"An execution job with id {job.Id} is already stored.");
                }

                // Counted on the same read of the index the commit's ETag checks: a submit that commits in between
                // makes this pass retry and count again.
                if ((index.Value ?? JobIndex.Empty).Entries.Count(e => e.Outcome is null) >= maxPending)
                {
                    return Attempt<(ExecutionJob?, bool)>.Done((null, false));
                }

                var operations = new List<StateTransactionRequest>
                {
                    Put(jobKey, stored, ""),
                    Put(index, (index.Value ?? JobIndex.Empty).With(
                        new JobIndexEntry(job.Id, stored.CreatedAt, job.ModuleId, null))),
                };
                if (pointerKey is not null)
                {
                    operations.Add(Put(pointerKey, new JobKeyPointer(job.Id), ""));
                }

                return await _state.TryCommitAsync(operations, cancellationToken)
                    ? Attempt<(ExecutionJob?, bool)>.Done((stored, true))
                    : Attempt<(ExecutionJob?, bool)>.Retry;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public async Task<ExecutionJob?> GetAsync(Guid tenantId, Guid id, CancellationToken cancellationToken)
    {
        var job = (await _state.ReadAsync<ExecutionJob>(StateKeys.ExecutionJob(id), cancellationToken)).Value;
        return job?.TenantId == tenantId ? job : null;
    }

    /// <inheritdoc />
    public async Task<int> CountPendingAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        // The index knows an outcome only once a job completed.
        var index = (await _state.ReadAsync<JobIndex>(StateKeys.TenantJobs(tenantId), cancellationToken)).Value
            ?? JobIndex.Empty;
        return index.Entries.Count(e => e.Outcome is null);
    }

    /// <inheritdoc />
    public async Task<ExecutionJobPage> ListAsync(ExecutionJobQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Limit);
        Guid? after = query.Cursor is null ? null : DecodeCursor(query.Cursor);
        var index = (await _state.ReadAsync<JobIndex>(StateKeys.TenantJobs(query.TenantId), cancellationToken))
            .Value ?? JobIndex.Empty;

        // The index is already newest first; "after" is a position in it, as SQLite's keyset "id < $after".
        var candidates = index.Entries
            .Where(e => after is not { } cursor || IdIndex.Order.Compare(e.Id, cursor) > 0)
            .Where(e => query.ModuleId is not { } module || e.ModuleId == module)
            .Where(e => query.Outcome is null || e.Outcome == query.Outcome)
            .Take(query.Limit + 1)
            .ToList();
        var jobs = await _state.ReadManyAsync<ExecutionJob>(
            candidates.Select(e => StateKeys.ExecutionJob(e.Id)).ToList(), cancellationToken);

        // A job removed by retention between the two reads is left out, as it would be from a later SQLite query.
        var summaries = jobs
            .Where(j => j.Value?.TenantId == query.TenantId)
            .Select(j => Summary(j.Value!))
            .ToList();
        if (summaries.Count <= query.Limit)
        {
            return new ExecutionJobPage(summaries, null);
        }

        summaries.RemoveAt(summaries.Count - 1);
        return new ExecutionJobPage(summaries, EncodeCursor(summaries[^1].Id));
    }

    /// <inheritdoc />
    public Task<bool> TryMarkRunningAsync(Guid id, DateTimeOffset at, CancellationToken cancellationToken) =>
        _state.RetryAsync(
            "claim execution job",
            async () =>
            {
                var read = await _state.ReadAsync<ExecutionJob>(StateKeys.ExecutionJob(id), cancellationToken);
                if (read.Value is not { Status: ExecutionJobStatus.Queued } job)
                {
                    return Attempt<bool>.Done(false);
                }

                // Checked by the ETag read: of two workers that both saw it queued, one commits and the other
                // retries, reads it running and answers false.
                var running = job with { Status = ExecutionJobStatus.Running, StartedAt = at.ToUniversalTime() };
                return await _state.TryCommitAsync([Put(read, running)], cancellationToken)
                    ? Attempt<bool>.Done(true)
                    : Attempt<bool>.Retry;
            },
            cancellationToken);

    /// <inheritdoc />
    public Task ReleaseAsync(Guid id, CancellationToken cancellationToken) =>
        _state.RetryAsync(
            "release execution job",
            async () =>
            {
                var read = await _state.ReadAsync<ExecutionJob>(StateKeys.ExecutionJob(id), cancellationToken);
                if (read.Value is not { Status: ExecutionJobStatus.Running } job)
                {
                    return Attempt<bool>.Done(false);
                }

                var queued = job with { Status = ExecutionJobStatus.Queued, StartedAt = null };
                return await _state.TryCommitAsync([Put(read, queued)], cancellationToken)
                    ? Attempt<bool>.Done(true)
                    : Attempt<bool>.Retry;
            },
            cancellationToken);

    /// <inheritdoc />
    public Task CompleteAsync(Guid id, RunResult result, DateTimeOffset at, CancellationToken cancellationToken) =>
        CompleteAsync(id, result, at, refusalCode: null, cancellationToken);

    /// <inheritdoc />
    public Task RefuseAsync(
        Guid id, string refusalCode, RunResult result, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(refusalCode);
        return CompleteAsync(id, result, at, refusalCode, cancellationToken);
    }

    private async Task CompleteAsync(
        Guid id, RunResult result, DateTimeOffset at, string? refusalCode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        var completedAt = at.ToUniversalTime();
        await _state.EnsureAsync(StateKeys.CompletedJobs, CompletedJobIndex.Empty, cancellationToken);
        await _state.RetryAsync(
            "complete execution job",
            async () =>
            {
                var read = await _state.ReadAsync<ExecutionJob>(StateKeys.ExecutionJob(id), cancellationToken);

                // As the SQLite store: any job not yet completed may be completed, and a result is never replaced.
                if (read.Value is not { } job || job.Status == ExecutionJobStatus.Completed)
                {
                    return Attempt<bool>.Done(false);
                }

                var (index, completed) = await _state.ReadPairAsync<JobIndex, CompletedJobIndex>(
                    StateKeys.TenantJobs(job.TenantId), StateKeys.CompletedJobs, cancellationToken);
                var done = job with
                {
                    Status = ExecutionJobStatus.Completed,
                    Request = null,
                    CompletedAt = completedAt,
                    Result = result,
                    RefusalCode = refusalCode ?? job.RefusalCode,
                };
                var entry = new JobIndexEntry(job.Id, job.CreatedAt, job.ModuleId, result.Outcome);
                StateTransactionRequest[] operations =
                [
                    Put(read, done),
                    Put(index, (index.Value ?? JobIndex.Empty).With(entry)),
                    Put(completed, (completed.Value ?? CompletedJobIndex.Empty).With(
                        new CompletedJobEntry(job.Id, job.TenantId, completedAt))),
                ];
                return await _state.TryCommitAsync(operations, cancellationToken)
                    ? Attempt<bool>.Done(true)
                    : Attempt<bool>.Retry;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public async Task<int> RemoveCompletedBeforeAsync(
        DateTimeOffset cutoff, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var removed = 0;
        while (removed < limit)
        {
            var (entries, jobs) = await RemoveChunkAsync(
                cutoff, Math.Min(RemovalChunk, limit - removed), cancellationToken);
            if (entries == 0)
            {
                break;
            }

            removed += jobs;
        }

        return removed;
    }

    /// <summary>
    /// Removes up to <paramref name="limit"/> of the oldest completed jobs in one transaction; answers how many
    /// entries left <c>jobs-completed</c> and how many of them still had a job to remove.
    /// </summary>
    private Task<(int Entries, int Jobs)> RemoveChunkAsync(
        DateTimeOffset cutoff, int limit, CancellationToken cancellationToken) =>
        _state.RetryAsync(
            "remove completed execution jobs",
            async () =>
            {
                var completed = await _state.ReadAsync<CompletedJobIndex>(StateKeys.CompletedJobs, cancellationToken);
                var due = (completed.Value ?? CompletedJobIndex.Empty).Entries
                    .TakeWhile(e => e.CompletedAt < cutoff)
                    .Take(limit)
                    .ToList();
                if (due.Count == 0)
                {
                    return Attempt<(int, int)>.Done((0, 0));
                }

                var jobs = await _state.ReadManyAsync<ExecutionJob>(
                    due.Select(e => StateKeys.ExecutionJob(e.Id)).ToList(), cancellationToken);
                var pointerKeys = jobs
                    .Where(j => j.Value?.IdempotencyKey is not null)
                    .Select(j => StateKeys.ExecutionJobKey(j.Value!.TenantId, j.Value.IdempotencyKey!))
                    .ToList();
                var pointers = await _state.ReadManyAsync<JobKeyPointer>(pointerKeys, cancellationToken);
                var tenants = due.Select(e => e.TenantId).Distinct().ToList();
                var indexes = await _state.ReadManyAsync<JobIndex>(
                    tenants.Select(StateKeys.TenantJobs).ToList(), cancellationToken);

                var ids = due.Select(e => e.Id).ToHashSet();
                var operations = new List<StateTransactionRequest>
                {
                    Put(completed, completed.Value!.Without(ids)),
                };
                operations.AddRange(jobs.Where(j => j.Exists).Select(Remove));

                // A pointer is dropped only with the job it names, so the key is free again exactly when its
                // first job is gone.
                operations.AddRange(pointers.Where(p => p.Value is { } v && ids.Contains(v.JobId)).Select(Remove));
                operations.AddRange(indexes.Where(i => i.Exists).Select(i => Put(i, i.Value!.Without(ids))));
                return await _state.TryCommitAsync(operations, cancellationToken)
                    ? Attempt<(int, int)>.Done((due.Count, jobs.Count(j => j.Exists)))
                    : Attempt<(int, int)>.Retry;
            },
            cancellationToken);

    private async Task<ExecutionJob?> FindByKeyAsync(Guid tenantId, string pointerKey, CancellationToken token)
    {
        var pointer = await _state.ReadAsync<JobKeyPointer>(pointerKey, token);
        return pointer.Value is { } found ? await GetAsync(tenantId, found.JobId, token) : null;
    }

    private static ExecutionJob Stored(ExecutionJob job) => job with
    {
        CreatedAt = job.CreatedAt.ToUniversalTime(),
        StartedAt = job.StartedAt?.ToUniversalTime(),
        CompletedAt = job.CompletedAt?.ToUniversalTime(),
    };

    private static ExecutionJobSummary Summary(ExecutionJob job) => new(
        job.Id, job.ModuleId, job.Status, job.CreatedAt, job.StartedAt, job.CompletedAt, job.Result?.Outcome,
        job.Result?.ExitCode, job.Result?.DurationMs);

    // The same format as the SQLite store's: only a position, never a tenant. The tenant comes from the query
    // alone, so a cursor edited or taken from someone else can at most start a page elsewhere in one's own list.
    private static string EncodeCursor(Guid id) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(CursorPrefix + StateKeys.Id(id)));

    private static Guid DecodeCursor(string cursor)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(cursor));
            if (text.StartsWith(CursorPrefix, StringComparison.Ordinal)
                && Guid.TryParseExact(text.AsSpan(CursorPrefix.Length), "D", out var id))
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
}
