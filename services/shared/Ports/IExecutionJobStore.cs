using WasmWizard.Shared.Contracts;

namespace WasmWizard.Shared.Ports;

/// <summary>
/// Asynchronous executions: what was asked, where each one stands and, once finished, its result. The embedded host
/// keeps them in SQLite; the distributed one in the Dapr state store (<c>DaprExecutionJobStore</c>), written by the
/// api (REST submits) and by the executor (requests it consumes, claims and results).
/// </summary>
public interface IExecutionJobStore
{
    /// <summary>
    /// Stores a new queued job, unless <paramref name="job"/> carries an idempotency key the tenant already used: then
    /// nothing is stored and the job first stored under that key is returned with <c>Created</c> false.
    /// </summary>
    Task<(ExecutionJob Job, bool Created)> CreateAsync(ExecutionJob job, CancellationToken cancellationToken);

    /// <summary>
    /// As <see cref="CreateAsync"/>, but stores the job only while the tenant has fewer than
    /// <paramref name="maxPending"/> jobs queued or running, checked in the same atomic step as the write (concurrent
    /// submits cannot all slip under the limit). Returns the first job of a reused idempotency key whatever the
    /// backlog, and a null job when the backlog is full.
    /// </summary>
    Task<(ExecutionJob? Job, bool Created)> CreateWithinAsync(
        ExecutionJob job, int maxPending, CancellationToken cancellationToken);

    /// <summary>The tenant's job <paramref name="id"/>, or null when the tenant has no such job.</summary>
    Task<ExecutionJob?> GetAsync(Guid tenantId, Guid id, CancellationToken cancellationToken);

    /// <summary>How many of the tenant's jobs have not completed yet (queued or running).</summary>
    Task<int> CountPendingAsync(Guid tenantId, CancellationToken cancellationToken);

    /// <summary>One page of the tenant's jobs, newest first.</summary>
    /// <exception cref="ArgumentException">The cursor was not one this store handed out.</exception>
    Task<ExecutionJobPage> ListAsync(ExecutionJobQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Moves a queued job to running. Returns false when it is not queued (another worker took it, or it is gone),
    /// so a job is started at most once.
    /// </summary>
    Task<bool> TryMarkRunningAsync(Guid id, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Puts a running job back in the queue: only for a run that provably never started (executor busy).</summary>
    Task ReleaseAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>Stores the result of a running job and forgets its input.</summary>
    Task CompleteAsync(Guid id, RunResult result, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Completes a job that is refused rather than run, as <see cref="CompleteAsync"/> does, and keeps
    /// <paramref name="refusalCode"/> as its <see cref="ExecutionJob.RefusalCode"/> (where the store keeps those).
    /// </summary>
    Task RefuseAsync(
        Guid id, string refusalCode, RunResult result, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Removes up to <paramref name="limit"/> jobs completed before <paramref name="cutoff"/>; returns how many.</summary>
    Task<int> RemoveCompletedBeforeAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken);
}

/// <summary>Hands a stored job to whatever runs jobs: in-process workers when embedded, a topic when distributed.</summary>
public interface IExecutionQueue
{
    /// <summary>Announces <paramref name="job"/>, already stored as queued, to the workers.</summary>
    Task EnqueueAsync(ExecutionJob job, CancellationToken cancellationToken);
}

/// <summary>The states of an asynchronous execution.</summary>
public static class ExecutionJobStatus
{
    /// <summary>Waiting for a worker (and for a free slot of its tenant).</summary>
    public const string Queued = "queued";

    /// <summary>Handed to the executor.</summary>
    public const string Running = "running";

    /// <summary>Finished; the result is kept until the retention time has passed.</summary>
    public const string Completed = "completed";
}

/// <summary>One asynchronous execution.</summary>
/// <param name="Id">The execution id (also the id of its history entry and audit subject).</param>
/// <param name="TenantId">Whose it is.</param>
/// <param name="ModuleId">The stored module it runs.</param>
/// <param name="IdempotencyKey">The submitter's <c>Idempotency-Key</c>, or null.</param>
/// <param name="RequestHash">A hash of the module id and the run options, to tell a retry from a different request.</param>
/// <param name="Request">What to run; null once the job has completed (the input is not kept longer than needed).</param>
/// <param name="Status">One of <see cref="ExecutionJobStatus"/>.</param>
/// <param name="CreatedAt">When it was submitted.</param>
/// <param name="StartedAt">When a worker handed it to the executor.</param>
/// <param name="CompletedAt">When it finished.</param>
/// <param name="Result">The result once completed.</param>
public sealed record ExecutionJob(
    Guid Id,
    Guid TenantId,
    Guid ModuleId,
    string? IdempotencyKey,
    string RequestHash,
    ExecutionJobRequest? Request,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt = null,
    DateTimeOffset? CompletedAt = null,
    RunResult? Result = null)
{
    /// <summary>
    /// For an execution request that was refused rather than run, the refusal's code (its result then holds the
    /// message), so a redelivered request is answered with the same refusal. Kept by the Dapr store only: the embedded
    /// host refuses at submit time, with a 4xx.
    /// </summary>
    public string? RefusalCode { get; init; }
}

/// <summary>What a queued job runs, and on whose behalf, as resolved when it was submitted.</summary>
/// <param name="ModuleSha256">The module's hash; the executor finds the bytes by it.</param>
/// <param name="ProgramName">argv[0].</param>
/// <param name="Stdin">The guest's stdin.</param>
/// <param name="Args">Arguments after argv[0].</param>
/// <param name="Env">Environment variables in order.</param>
/// <param name="Limits">The limits, already checked against the tier.</param>
/// <param name="Tier">The submitter's tier then, for its cap on runs in flight.</param>
/// <param name="KeyId">The API key that submitted it (null for a JWT), for the audit trail.</param>
/// <param name="KeyPrefix">That key's prefix (never the key).</param>
/// <param name="RequestId">The submitting request's id, so the audit event links back to it.</param>
public sealed record ExecutionJobRequest(
    string ModuleSha256,
    string ProgramName,
    byte[] Stdin,
    IReadOnlyList<string> Args,
    IReadOnlyList<KeyValuePair<string, string>> Env,
    RunLimits Limits,
    string Tier,
    Guid? KeyId,
    string? KeyPrefix,
    string? RequestId);

/// <summary>A page request over one tenant's jobs.</summary>
/// <param name="TenantId">Whose jobs.</param>
/// <param name="ModuleId">Only jobs of this module.</param>
/// <param name="Outcome">Only completed jobs with this outcome.</param>
/// <param name="Limit">At most this many.</param>
/// <param name="Cursor">The previous page's <see cref="ExecutionJobPage.NextCursor"/>, or null for the first page.</param>
public sealed record ExecutionJobQuery(Guid TenantId, Guid? ModuleId, string? Outcome, int Limit, string? Cursor);

/// <summary>One page of jobs, and the cursor of the next page (null on the last).</summary>
public sealed record ExecutionJobPage(IReadOnlyList<ExecutionJobSummary> Jobs, string? NextCursor);

/// <summary>A job as listed: where it stands and how it ended, without its input or output.</summary>
public sealed record ExecutionJobSummary(
    Guid Id,
    Guid ModuleId,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    string? Outcome,
    int? ExitCode,
    double? DurationMs);
