using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WasmWizard.Executor.Sandbox;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Dapr;
using WasmWizard.Shared.Hosting;
using WasmWizard.Shared.Execution;
using WasmWizard.Shared.Ports;
using WasmWizard.Shared.RateLimiting;

namespace WasmWizard.Executor.Requests;

/// <summary>What the sidecar is to do with a delivered execution request.</summary>
public enum RequestVerdict
{
    /// <summary>Handled (run, refused, or a duplicate of one that was): acknowledge.</summary>
    Done,

    /// <summary>Not handled now (no free slot); nothing ran: deliver it again later.</summary>
    Retry,

    /// <summary>Unreadable, so it cannot be answered: send it to the dead-letter topic.</summary>
    Drop,
}

/// <summary>
/// Consumes <c>execution-requests</c>: checks a request as the api checks a REST one, runs it at most once per
/// request id, stores its result where <c>GET /api/executions/{id}</c> reads it, records it like every run (history,
/// audit) and answers on <c>execution-results</c>. A refused request is answered too, with the reason.
/// </summary>
/// <remarks>
/// Several executor replicas consume the topic as one consumer group, and the broker may deliver a request twice:
/// the request id is the execution's id, and only the replica whose claim of the queued execution commits runs it.
/// A published request is stored already claimed by the delivery that admits it, before its rate budget is charged,
/// so two copies admitted at once are charged once too. Requests the api queued (REST submits) are already stored
/// and checked; the request is then only their signal.
/// </remarks>
public sealed class ExecutionRequestProcessor(
    IIdentityStore identities,
    IModuleStore modules,
    IExecutionJobStore jobs,
    IExecutionStore history,
    IEventPublisher events,
    IRequestRateLimiter rateLimiter,
    SandboxService sandbox,
    TenantConcurrency concurrency,
    IOptionsMonitor<TierSettings> tiers,
    IOptions<SandboxOptions> sandboxOptions,
    ExecutionMetrics metrics,
    TimeProvider time,
    ILogger<ExecutionRequestProcessor> logger) : IDisposable
{
    // How long one delivery waits for a slot of its tenant (the tier's cap on runs in flight) or a free sandbox slot
    // before it gives the request back, and how often it looks for a tenant slot (a full sandbox says itself when to
    // try again). Every RETRY counts against the delivery's bounded retries, and the last one dead-letters it.
    private static readonly TimeSpan CapacityWait = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan TenantSlotPoll = TimeSpan.FromMilliseconds(200);

    // Stands for "another delivery claimed it first": nothing to finish here.
    private static readonly RunResult AlreadyClaimed = Rejected("claimed elsewhere");

    // Marks the request id of an execution a producer published (the CloudEvent's id), as opposed to the id of the
    // REST request that queued it through the api.
    private const string EventPrefix = "event:";

    // Tries at storing a run's result; see StoreRunResultAsync.
    private const int StoreResultAttempts = 10;

    // Deliveries admitted or run at once, as many as the sandbox runs: the rest wait here for their turn. A broker may
    // hand out a whole backlog at once (pubsub.redis 10 at a time by default, per sidecar); handled all together, all
    // but a few would claim a job only to find the sandbox full and answer RETRY, and their writes to the shared job
    // indexes would collide until the store gives up, in a loop that burns the machine (seen with 1,000 queued runs:
    // 70,000 deliveries and lost results, against 1,000 deliveries with the wait). A delivery waiting for a slot of
    // its own tenant does so without a turn, so one busy tenant does not hold up the others. One that waits past the
    // broker's processing timeout is handed out again, and that copy is a duplicate like any other.
    private readonly SemaphoreSlim _turns = new(sandboxOptions.Value.MaxConcurrentRuns);

    /// <summary>Handles one delivery of the topic (a CloudEvent, or bare request data).</summary>
    public async Task<RequestVerdict> ProcessAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var read = ExecutionRequestReader.Read(body.Span, sandboxOptions.Value.MaxInputBytes);
        if (read.Request is not { } request)
        {
            Log.RequestUnreadable(logger, null, read.PoisonReason ?? "unknown");
            return RequestVerdict.Drop;
        }

        using var tenantScope = logger.BeginTenantScope(request.TenantId.ToString());
        var job = await jobs.GetAsync(request.TenantId, request.RequestId, cancellationToken).ConfigureAwait(false);
        if (job is null)
        {
            await _turns.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var (admitted, claimed) = await AdmitAsync(request, read.Problem, cancellationToken).ConfigureAwait(false);
                if (admitted is null)
                {
                    return RequestVerdict.Done;
                }

                if (!claimed)
                {
                    // A copy of this request admitted at the same moment stored it: handled below as a duplicate.
                    job = admitted;
                }
                else if (concurrency.TryEnter(admitted.TenantId, TenantCap(admitted.Request!.Tier)) is { } slot)
                {
                    using (slot)
                    {
                        return await RunHeldAsync(
                                admitted, admitted.Request!, admitted.Request!.Tier, alreadyClaimed: true,
                                time.GetUtcNow() + CapacityWait, cancellationToken)
                            .ConfigureAwait(false);
                    }
                }
                else
                {
                    // Admitted and charged, but the tenant's runs are at its cap: queued again, to wait for a slot
                    // below without holding a turn.
                    await jobs.ReleaseAsync(admitted.Id, CancellationToken.None).ConfigureAwait(false);
                    job = admitted with { Status = ExecutionJobStatus.Queued, StartedAt = null };
                }
            }
            finally
            {
                _turns.Release();
            }
        }

        return await RunAsync(job, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose() => _turns.Dispose();

    /// <summary>
    /// Handles a request that reached the dead-letter topic: one that could not be read is left there for operators;
    /// one that kept failing (no capacity, a store down) is closed as refused (<c>undeliverable</c>), so neither its
    /// producer nor a REST poller waits for ever. One that ran after all (a late duplicate) is left alone.
    /// </summary>
    public async Task ProcessDeadLetterAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        if (ExecutionRequestReader.Read(body.Span, sandboxOptions.Value.MaxInputBytes).Request is not { } request)
        {
            return;
        }

        const string Message = "The execution request could not be run after repeated attempts (no free capacity, "
            + "or a dependency was down); it was not run. Publish it again with a new request_id.";
        var job = await jobs.GetAsync(request.TenantId, request.RequestId, cancellationToken).ConfigureAwait(false);
        if (job is null)
        {
            var tenant = await identities.GetUserAsync(request.TenantId, cancellationToken).ConfigureAwait(false);
            await RefuseAsync(request, ExecutionRefusalCodes.Undeliverable, Message, store: tenant is not null)
                .ConfigureAwait(false);
            return;
        }

        if (job.Status != ExecutionJobStatus.Queued)
        {
            return;
        }

        // Claimed first, so a delivery of the same request still running elsewhere cannot start it after this.
        if (!await jobs.TryMarkRunningAsync(job.Id, time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var completedAt = time.GetUtcNow();
        await jobs.RefuseAsync(
                job.Id, ExecutionRefusalCodes.Undeliverable, Rejected(Message), completedAt, CancellationToken.None)
            .ConfigureAwait(false);
        Log.RequestRefused(logger, job.Id, job.TenantId, ExecutionRefusalCodes.Undeliverable);
        await PublishResultAsync(ExecutionResultEvent.FromRefusal(
                job.Id, job.TenantId, job.ModuleId,
                new ExecutionRefusal(ExecutionRefusalCodes.Undeliverable, Message), completedAt))
            .ConfigureAwait(false);
    }

    // The checks of a REST submit; returns the execution stored and claimed by this delivery, or the one a copy of
    // the request admitted at the same time stored (not claimed), or null when refused.
    private async Task<(ExecutionJob? Job, bool Claimed)> AdmitAsync(
        ParsedExecutionRequest request, string? problem, CancellationToken cancellationToken)
    {
        var user = await identities.GetUserAsync(request.TenantId, cancellationToken).ConfigureAwait(false);
        if (user is null)
        {
            // Nobody to store it for: only the answer.
            await RefuseAsync(request, ExecutionRefusalCodes.TenantNotFound, "No such tenant.", store: false)
                .ConfigureAwait(false);
            return (null, false);
        }

        if (problem is not null)
        {
            await RefuseAsync(request, ExecutionRefusalCodes.InvalidRequest, problem, store: true).ConfigureAwait(false);
            return (null, false);
        }

        var module = await modules.GetAsync(request.ModuleId!.Value, cancellationToken).ConfigureAwait(false);
        if (module is null || (module.OwnerId != user.Id && !module.IsPublic))
        {
            // As REST: another tenant's private module is "not found", not "forbidden".
            await RefuseAsync(request, ExecutionRefusalCodes.ModuleNotFound, "No such module.", store: true)
                .ConfigureAwait(false);
            return (null, false);
        }

        var settings = tiers.CurrentValue;
        var limits = TierRules.TryResolve(
            settings, user.Tier, request.TimeoutMs, request.MemoryLimitMb, request.Fuel, out var refusal);
        if (limits is null)
        {
            await RefuseAsync(request, ExecutionRefusalCodes.LimitExceedsTier, refusal!, store: true).ConfigureAwait(false);
            return (null, false);
        }

        var caps = settings.Limits(user.Tier);

        // Stored before the request budget is charged, and stored claimed (running): storing takes the request id,
        // so of two copies of one request admitted at the same moment (the broker handed them to two replicas) only
        // the one that stored it is charged; the other finds the id taken and is a duplicate. Claimed, so that no
        // copy runs it before its budget is known. Unlike REST, a full backlog is therefore found before a spent
        // budget.
        var now = time.GetUtcNow();
        var job = new ExecutionJob(
            request.RequestId,
            user.Id,
            module.Id,
            IdempotencyKey: null,
            RequestHash: "",
            new ExecutionJobRequest(
                module.Sha256, module.Name, request.Stdin, request.Args, request.Env, limits, user.Tier,
                KeyId: null, KeyPrefix: null, RequestId: EventPrefix + request.EventId),
            ExecutionJobStatus.Running,
            now,
            StartedAt: now);
        ExecutionJob? stored;
        try
        {
            (stored, _) = caps.MaxPendingExecutions is { } cap
                ? await jobs.CreateWithinAsync(job, cap, cancellationToken).ConfigureAwait(false)
                : await jobs.CreateAsync(job, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // The id is taken. Most often by another delivery of this very request admitted at the same time: that
            // is a duplicate, to be handled as one, not refused, or the producer would be told "conflict" about a
            // request that runs.
            if (await jobs.GetAsync(request.TenantId, request.RequestId, cancellationToken).ConfigureAwait(false)
                is { } duplicate)
            {
                return (duplicate, false);
            }

            // Another tenant's execution has this id.
            await RefuseAsync(
                    request, ExecutionRefusalCodes.RequestIdConflict, "The request_id is already used; send a new one.",
                    store: false)
                .ConfigureAwait(false);
            return (null, false);
        }

        if (stored is null)
        {
            await RefuseAsync(
                    request, ExecutionRefusalCodes.ConcurrencyLimited,
                    $"The {user.Tier} tier keeps at most {caps.MaxPendingExecutions} execution(s) queued or running; "
                    + "publish again once some finish.",
                    store: true)
                .ConfigureAwait(false);
            return (null, false);
        }

        // The same budget a REST request of this tenant spends (one per user and tier, as the api's partition).
        RateLimitDecision decision;
        try
        {
            decision = await rateLimiter
                .AcquireAsync("user:" + user.Id + ":" + user.Tier, caps.RatePolicy, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Neither charged nor run (the limiter lets requests through when its actor is down, so this is a
            // cancellation): queued again rather than left claimed, so the redelivery runs it.
            await jobs.ReleaseAsync(stored.Id, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        if (!decision.Allowed)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(decision.RetryAfter.TotalSeconds));
            var message = $"The {user.Tier} tier's request budget is spent; publish again in {seconds} s.";
            Log.RequestRefused(logger, request.RequestId, request.TenantId, ExecutionRefusalCodes.RateLimited);
            var refusedAt = time.GetUtcNow();
            await jobs.RefuseAsync(
                    stored.Id, ExecutionRefusalCodes.RateLimited, Rejected(message), refusedAt, CancellationToken.None)
                .ConfigureAwait(false);
            await PublishResultAsync(ExecutionResultEvent.FromRefusal(
                    request.RequestId, request.TenantId, request.ModuleId,
                    new ExecutionRefusal(ExecutionRefusalCodes.RateLimited, message), refusedAt))
                .ConfigureAwait(false);
            return (null, false);
        }

        return (stored, true);
    }

    private async Task<RequestVerdict> RunAsync(ExecutionJob job, CancellationToken cancellationToken)
    {
        switch (job.Status)
        {
            case ExecutionJobStatus.Completed:
                // A redelivery: answer again (the first answer may have been lost with its publisher), never rerun.
                await PublishResultAsync(AnswerOf(job)).ConfigureAwait(false);
                return RequestVerdict.Done;
            case ExecutionJobStatus.Running:
                await InterruptIfAbandonedAsync(job).ConfigureAwait(false);
                return RequestVerdict.Done;
        }

        if (job.Request is not { } asked)
        {
            // A refusal being stored by another delivery: that one answers.
            return RequestVerdict.Done;
        }

        var user = await identities.GetUserAsync(job.TenantId, cancellationToken).ConfigureAwait(false);
        var tier = user?.Tier ?? asked.Tier;
        var deadline = time.GetUtcNow() + CapacityWait;
        IDisposable? slot;
        while ((slot = concurrency.TryEnter(job.TenantId, TenantCap(tier))) is null)
        {
            // The tenant's runs in flight on this replica are at its tier's cap.
            if (time.GetUtcNow() >= deadline)
            {
                return RequestVerdict.Retry;
            }

            await Task.Delay(TenantSlotPoll, time, cancellationToken).ConfigureAwait(false);
        }

        using (slot)
        {
            await _turns.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await RunHeldAsync(job, asked, tier, alreadyClaimed: false, deadline, cancellationToken)
                    .ConfigureAwait(false);
            }
            finally
            {
                _turns.Release();
            }
        }
    }

    private int TenantCap(string tier) => tiers.CurrentValue.Limits(tier).MaxConcurrentExecutions;

    // Runs the execution with a slot of its tenant and a turn held: claims it (unless this delivery already holds the
    // claim), runs it, then stores, records and answers the result.
    private async Task<RequestVerdict> RunHeldAsync(
        ExecutionJob job, ExecutionJobRequest asked, string tier, bool alreadyClaimed, DateTimeOffset deadline,
        CancellationToken cancellationToken)
    {
        // Held to the tier the tenant has now, as a queued REST run is.
        var limits = TierRules.Clamp(tiers.CurrentValue, tier, asked.Limits);
        var result = await RunClaimedAsync(job, asked, tier, limits, alreadyClaimed, deadline, cancellationToken)
            .ConfigureAwait(false);
        if (result is null)
        {
            return RequestVerdict.Retry;
        }

        if (!ReferenceEquals(result, AlreadyClaimed))
        {
            await FinishAsync(job, asked, tier, limits, result).ConfigureAwait(false);
        }

        return RequestVerdict.Done;
    }

    // Claims the execution and runs it; null when the sandbox stayed full until the deadline (the execution is then
    // queued again, nothing ran). A claim that fails means another delivery has it: that one finishes it.
    private async Task<RunResult?> RunClaimedAsync(
        ExecutionJob job, ExecutionJobRequest asked, string tier, RunLimits limits, bool alreadyClaimed,
        DateTimeOffset deadline, CancellationToken token)
    {
        for (var claimed = alreadyClaimed; ; claimed = false)
        {
            if (!claimed && !await jobs.TryMarkRunningAsync(job.Id, time.GetUtcNow(), token).ConfigureAwait(false))
            {
                return AlreadyClaimed;
            }

            // The wait ends when the sandbox takes the run; a busy sandbox hands it back, and the wait goes on.
            var startedAt = time.GetUtcNow();
            RunResult result;
            try
            {
                // The bytes are found by their hash and may be kept for another module with the same bytes: whether
                // a deleted module's execution runs must not depend on what others uploaded.
                if (job.ModuleId is { } moduleId
                    && await modules.GetAsync(moduleId, CancellationToken.None).ConfigureAwait(false) is null)
                {
                    throw new ModuleBytesMissingException(asked.ModuleSha256);
                }

                result = await sandbox.RunAsync(
                        new RunRequest(
                            asked.ModuleSha256, null, asked.ProgramName, asked.Stdin, asked.Args, asked.Env, limits,
                            job.TenantId.ToString()),
                        CancellationToken.None)
                    .ConfigureAwait(false);
            }
            catch (ExecutorBusyException busy)
            {
                // Refused before anything ran, so it may run later.
                await jobs.ReleaseAsync(job.Id, CancellationToken.None).ConfigureAwait(false);
                if (time.GetUtcNow() + busy.RetryAfter > deadline)
                {
                    return null;
                }

                await Task.Delay(busy.RetryAfter, time, token).ConfigureAwait(false);
                continue;
            }
            catch (Exception e) when (e is ModuleBytesMissingException or ModuleRejectedException or RunRequestRejectedException)
            {
                result = Rejected(e is ModuleBytesMissingException
                    ? "The module was deleted before the execution could run."
                    : e.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.RequestFailed(logger, e, job.Id);
                result = Rejected("The execution could not be run because of an internal error.");
            }

            metrics.QueueWaited(tier, job.CreatedAt, startedAt);
            return result;
        }
    }

    private async Task FinishAsync(
        ExecutionJob job, ExecutionJobRequest asked, string tier, RunLimits limits, RunResult result)
    {
        // Counted here, by the replica whose claim ran it, so a redelivered request is never counted twice; a
        // rejection counts too, as it does for a queued run in the embedded host.
        metrics.Finished(result.Outcome, tier, ExecutionMetrics.Queued);
        var completedAt = time.GetUtcNow();
        await StoreRunResultAsync(job.Id, result, completedAt).ConfigureAwait(false);
        Log.RequestFinished(logger, job.Id, job.ModuleId, result.Outcome, result.ExitCode, result.DurationMs);
        await RecordAsync(job, asked, limits, result, completedAt).ConfigureAwait(false);
        await PublishResultAsync(ExecutionResultEvent.FromRun(job.Id, job.TenantId, job.ModuleId, result, completedAt))
            .ConfigureAwait(false);
    }

    // The run has happened, so its result must reach the store: a failure here would leave the execution "running"
    // with no answer for ever, since a redelivery finds it claimed and leaves it alone. Contention on the shared job
    // indexes under a burst, or a sidecar's blip, can outlast one store call's own retries, so the call is made again
    // for a while (about 10 s at most) before the failure is let through.
    private async Task StoreRunResultAsync(Guid id, RunResult result, DateTimeOffset completedAt)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await jobs.CompleteAsync(id, result, completedAt, CancellationToken.None).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is not (OperationCanceledException or ObjectDisposedException)
                && attempt < StoreResultAttempts)
            {
                Log.RequestRecordFailed(logger, e, id, "result (trying again)");
                var pause = TimeSpan.FromMilliseconds(Random.Shared.Next(50, 250) * attempt);
                await Task.Delay(pause, time).ConfigureAwait(false);
            }
        }
    }

    // A claim is never retaken (that could run a request twice), but one whose executor died mid-run would otherwise
    // stay "running" for ever: long after any run could still be going, a redelivery closes it.
    private async Task InterruptIfAbandonedAsync(ExecutionJob job)
    {
        if (await AbandonedExecutions.CloseIfAbandonedAsync(job, tiers.CurrentValue, jobs, events, time)
                .ConfigureAwait(false))
        {
            Log.RequestInterrupted(logger, job.Id, job.StartedAt!.Value);
        }
    }

    private async Task RefuseAsync(ParsedExecutionRequest request, string code, string message, bool store)
    {
        Log.RequestRefused(logger, request.RequestId, request.TenantId, code);
        var completedAt = time.GetUtcNow();
        if (store && !await TryStoreRefusalAsync(request, code, message, completedAt).ConfigureAwait(false))
        {
            // Another delivery of the same request got there first and answers for it.
            return;
        }

        await PublishResultAsync(ExecutionResultEvent.FromRefusal(
                request.RequestId, request.TenantId, request.ModuleId, new ExecutionRefusal(code, message), completedAt))
            .ConfigureAwait(false);
    }

    // Stored so GET /api/executions/{id} shows the refusal; false when another delivery of the same request stored
    // one first (that delivery answers).
    private async Task<bool> TryStoreRefusalAsync(
        ParsedExecutionRequest request, string code, string message, DateTimeOffset at)
    {
        var job = new ExecutionJob(
            request.RequestId, request.TenantId, request.ModuleId ?? Guid.Empty, null, "", null,
            ExecutionJobStatus.Queued, at)
        {
            RefusalCode = code,
        };
        try
        {
            var (_, created) = await jobs.CreateAsync(job, CancellationToken.None).ConfigureAwait(false);
            if (!created)
            {
                return false;
            }
        }
        catch (InvalidOperationException)
        {
            // A copy of this very request stored it in the meantime (it may be running): that delivery answers, and
            // a refusal here would contradict it.
            if (await jobs.GetAsync(request.TenantId, request.RequestId, CancellationToken.None).ConfigureAwait(false)
                is not null)
            {
                return false;
            }

            // Another tenant's execution has this id: nothing can be stored under it, but the refusal is still
            // answered, never silence.
            return true;
        }

        await jobs.CompleteAsync(job.Id, Rejected(message), at, CancellationToken.None).ConfigureAwait(false);
        return true;
    }

    // History, then the audit event: the same record as a run through the api, under the execution's id.
    private async Task RecordAsync(
        ExecutionJob job, ExecutionJobRequest asked, RunLimits limits, RunResult result, DateTimeOffset at)
    {
        try
        {
            await history.AddAsync(
                    new ExecutionRecord(
                        job.Id, job.TenantId, job.ModuleId, asked.ModuleSha256, result.Outcome, result.ExitCode,
                        result.DurationMs, result.FuelConsumed, at),
                    CancellationToken.None)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.RequestRecordFailed(logger, e, job.Id, "history entry");
        }

        var audit = new AuditEvent(
            Guid.CreateVersion7(), AuditEventTypes.ExecutionCompleted, at, job.TenantId, asked.KeyId, asked.KeyPrefix,
            null, null, null, asked.RequestId,
            ExecutionAuditDetails.Describe(job.ModuleId, asked.ModuleSha256, limits, result))
        {
            TenantId = job.TenantId,
            Actor = ActorOf(job, asked),
            Subject = "execution:" + job.Id,
            Source = DaprNames.ExecutorAppId,
            TraceId = Activity.Current?.TraceId.ToHexString(),
        };
        try
        {
            await events.PublishAsync(DaprNames.AuditTopic, audit, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.RequestRecordFailed(logger, e, job.Id, "audit event");
        }
    }

    private async Task PublishResultAsync(ExecutionResultEvent answer)
    {
        try
        {
            await events.PublishAsync(DaprNames.ExecutionResultsTopic, answer, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The result is stored (REST sees it) and a redelivery of the request publishes it again.
            Log.RequestRecordFailed(logger, e, answer.RequestId, "result event");
        }
    }

    private static ExecutionResultEvent AnswerOf(ExecutionJob job)
    {
        var result = job.Result!;
        var at = job.CompletedAt ?? job.CreatedAt;
        return job.RefusalCode is { } code
            ? ExecutionResultEvent.FromRefusal(
                job.Id, job.TenantId, job.ModuleId, new ExecutionRefusal(code, result.Message ?? ""), at)
            : ExecutionResultEvent.FromRun(job.Id, job.TenantId, job.ModuleId, result, at);
    }

    // Who asked, as the api names actors: the API key or JWT user of a REST submit; a producer's request is the
    // service acting for the tenant.
    private static string ActorOf(ExecutionJob job, ExecutionJobRequest asked) =>
        asked.RequestId?.StartsWith(EventPrefix, StringComparison.Ordinal) == true ? "system"
        : asked.KeyId is { } key ? "key:" + key
        : "jwt:" + job.TenantId;

    private static RunResult Rejected(string message) =>
        new(ExecutionOutcome.Rejected, null, null, message, [], false, [], false, 0, null);
}
