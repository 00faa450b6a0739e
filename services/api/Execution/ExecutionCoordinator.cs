using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using WasmWizard.Shared.Execution;
using WasmWizard.Api.Audit;
using WasmWizard.Api.Auth;
using WasmWizard.Api.Http;
using WasmWizard.Api.Model;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Api.Execution;

/// <summary>Runs a module for a caller: applies tier policy, asks the executor, records the run.</summary>
public sealed class ExecutionCoordinator(
    IExecutorClient executor,
    IExecutionStore executions,
    TierPolicy policy,
    TenantConcurrency concurrency,
    AuditRecorder audit,
    ApiMetrics metrics,
    ExecutionMetrics executionMetrics,
    TimeProvider time,
    ILogger<ExecutionCoordinator> logger)
{
    /// <summary>
    /// Takes one of the caller's run slots, or refuses with 429 when the tier's cap is reached. Taken before a
    /// request body is read, a refused caller costs no upload.
    /// </summary>
    public async Task<IDisposable> EnterAsync(Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var cap = policy.Limits(caller.Tier).MaxConcurrentExecutions;
        if (concurrency.TryEnter(caller.UserId, cap) is { } slot)
        {
            return slot;
        }

        metrics.Refused(caller.Tier, "concurrency");
        await audit.RecordRefusalAsync(
            AuditEventTypes.RateLimitExceeded, "tenant:" + caller.UserId, new Dictionary<string, string> { ["limit"] = "concurrency" });
        throw new ApiProblemException(
            StatusCodes.Status429TooManyRequests,
            ErrorCodes.ConcurrencyLimited,
            $"The {caller.Tier} tier runs at most {cap} module(s) at once; wait for one to finish.");
    }

    /// <summary>
    /// The refusal a run of the caller would meet now, when the executor can tell without running anything (the
    /// embedded host can); null otherwise. Asked before a body is read, so a refusal costs no parsing or lookup.
    /// </summary>
    public ExecutorBusyException? RefusalFor(Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return executor is IExecutorAdmission admission ? admission.RefusalFor(caller.UserId.ToString()) : null;
    }

    /// <summary>
    /// Runs the module in a slot the caller already took with <see cref="EnterAsync"/>, or reports the executor's
    /// refusal when no sandbox slot is free.
    /// </summary>
    public async Task<ExecutionAttempt> RunEnteredAsync(
        Caller caller,
        Guid? moduleId,
        string sha256,
        byte[]? moduleBytes,
        string programName,
        ExecuteOptions options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(options);
        var limits = policy.Resolve(caller.Tier, options);
        var request = new RunRequest(
            sha256, moduleBytes, programName, options.Stdin, options.Args, options.Env, limits, caller.UserId.ToString());
        var started = Stopwatch.GetTimestamp();
        var running = executor.RunAsync(request, cancellationToken);
        // The embedded executor refuses with a task that is already faulted: read there, the refusal is never
        // rethrown at all.
        if (running.IsFaulted && running.Exception?.InnerException is ExecutorBusyException refused)
        {
            return ExecutionAttempt.Refused(refused);
        }

        RunResult result;
        try
        {
            result = await running.ConfigureAwait(false);
        }
        catch (ExecutorBusyException busy)
        {
            return ExecutionAttempt.Refused(busy);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller left and its run was stopped with it. The run still took a slot and CPU for as long as it
            // went on, so it is recorded like any other, or leaving just before the deadline would leave no trace.
            var cut = new RunResult(
                ExecutionOutcome.Interrupted, null, null, "The caller went away before the run ended; it was stopped.",
                [], false, [], false, Stopwatch.GetElapsedTime(started).TotalMilliseconds, null);
            executionMetrics.Finished(cut.Outcome, caller.Tier, ExecutionMetrics.Sync);
            await RecordAsync(Guid.CreateVersion7(), caller.UserId, moduleId, sha256, limits, cut, origin: null)
                .ConfigureAwait(false);
            throw;
        }

        var executionId = Guid.CreateVersion7();
        executionMetrics.Finished(result.Outcome, caller.Tier, ExecutionMetrics.Sync);
        await RecordAsync(executionId, caller.UserId, moduleId, sha256, limits, result, origin: null).ConfigureAwait(false);
        return ExecutionAttempt.Ran(ExecutionResponse.From(result, executionId));
    }

    /// <summary>
    /// Runs a queued execution with the limits resolved when it was submitted, in a slot of its tenant the worker
    /// already took, and records it like a synchronous run (history and audit event under the job's id). Throws
    /// <see cref="ExecutorBusyException"/> when no sandbox slot is free, before anything ran.
    /// </summary>
    public async Task<RunResult> RunQueuedAsync(ExecutionJob job, string tier, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var asked = job.Request ?? throw new ArgumentException("The job holds no request; it has already run.", nameof(job));
        var limits = policy.Clamp(tier, asked.Limits);
        var request = new RunRequest(
            asked.ModuleSha256, null, asked.ProgramName, asked.Stdin, asked.Args, asked.Env, limits,
            job.TenantId.ToString());
        var result = await executor.RunAsync(request, cancellationToken).ConfigureAwait(false);
        var origin = new AuditOrigin(job.TenantId, asked.KeyId, asked.KeyPrefix, asked.RequestId);
        await RecordAsync(job.Id, job.TenantId, job.ModuleId, asked.ModuleSha256, limits, result, origin)
            .ConfigureAwait(false);
        return result;
    }

    // History and audit event are independent writes, so both are started at once: the request waits for one round
    // trip instead of two (in the embedded host, under load, both usually join the same SQLite commit). Neither
    // failing takes the result from the caller.
    private async Task RecordAsync(
        Guid executionId, Guid userId, Guid? moduleId, string sha256, RunLimits limits, RunResult result,
        AuditOrigin? origin)
    {
        Log.ExecutionFinished(logger, executionId, moduleId, result.Outcome, result.ExitCode, result.DurationMs);
        var history = AddHistoryAsync(executionId, userId, moduleId, sha256, result);
        var details = ExecutionAuditDetails.Describe(moduleId, sha256, limits, result);
        var subject = "execution:" + executionId;
        var audited = origin is null
            ? audit.RecordAsync(AuditEventTypes.ExecutionCompleted, details: details, subject: subject)
            : audit.RecordForAsync(origin, AuditEventTypes.ExecutionCompleted, details, subject);
        await Task.WhenAll(history, audited).ConfigureAwait(false);
    }

    private async Task AddHistoryAsync(Guid executionId, Guid userId, Guid? moduleId, string sha256, RunResult result)
    {
        try
        {
            await executions.AddAsync(
                new ExecutionRecord(
                    executionId, userId, moduleId, sha256, result.Outcome, result.ExitCode,
                    result.DurationMs, result.FuelConsumed, time.GetUtcNow()),
                CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The caller still gets the result; only the history entry is lost.
            Log.ExecutionNotRecorded(logger, e, executionId);
        }
    }
}
