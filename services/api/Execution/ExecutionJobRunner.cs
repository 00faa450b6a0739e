using Microsoft.Extensions.Logging;
using WasmWizard.Shared.Execution;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Dapr;
using WasmWizard.Shared.Hosting;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Api.Execution;

/// <summary>
/// Runs asynchronous executions through the same path as synchronous ones (tier limits, the tenant's cap on runs in
/// flight, history, audit). The embedded queue's workers reserve a slot, claim the job, then run it here; each result is
/// also published on <c>execution-results</c>, as the distributed executor does.
/// </summary>
public sealed class ExecutionJobRunner(
    IExecutionJobStore jobs,
    IIdentityStore identities,
    IModuleStore modules,
    ExecutionCoordinator coordinator,
    TierPolicy policy,
    TenantConcurrency concurrency,
    IEventPublisher events,
    ExecutionMetrics metrics,
    TimeProvider time,
    ILogger<ExecutionJobRunner> logger)
{
    /// <summary>
    /// Takes one of the job's tenant's run slots (shared with its synchronous runs), or returns null when the tenant
    /// is at its tier's cap: the job then waits in the queue instead of failing.
    /// </summary>
    public IDisposable? TryReserve(ExecutionJob job, string tier)
    {
        ArgumentNullException.ThrowIfNull(job);
        return concurrency.TryEnter(job.TenantId, policy.Limits(tier).MaxConcurrentExecutions);
    }

    /// <summary>
    /// The tier the job's tenant has now, which is what its run is held to (the tier it was submitted under when the
    /// tenant is not found).
    /// </summary>
    public async Task<string> CurrentTierAsync(ExecutionJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var user = await identities.GetUserAsync(job.TenantId, cancellationToken).ConfigureAwait(false);
        return user?.Tier ?? job.Request?.Tier ?? Tiers.Free;
    }

    /// <summary>Marks a queued job running; false when it was not queued any more (claimed elsewhere, or gone).</summary>
    public Task<bool> TryClaimAsync(ExecutionJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        return jobs.TryMarkRunningAsync(job.Id, time.GetUtcNow(), cancellationToken);
    }

    /// <summary>
    /// Runs a claimed job to completion and stores its result. Returns null when it is done, or, when the executor had
    /// no free slot, the job (back in the queue) and the error that says how long to wait before trying again.
    /// </summary>
    /// <remarks>
    /// The run itself is not cancelled: once handed to the executor it ends by its own deadline, so that what a
    /// stopping host leaves running is the exception, and the exception is marked interrupted, not run again.
    /// </remarks>
    public async Task<ExecutorBusyException?> RunClaimedAsync(ExecutionJob job, string tier)
    {
        ArgumentNullException.ThrowIfNull(job);
        // No request of the tenant's carries this run: name the tenant on its lines as the distributed executor does.
        using var tenantScope = logger.BeginTenantScope(job.TenantId.ToString());
        RunResult result;
        var startedAt = time.GetUtcNow();
        try
        {
            // The bytes are found by their hash and may be kept for another module with the same bytes: whether a
            // deleted module's job runs must not depend on what others uploaded.
            if (job.ModuleId is { } moduleId
                && await modules.GetAsync(moduleId, CancellationToken.None).ConfigureAwait(false) is null)
            {
                throw new ModuleBytesMissingException(job.Request?.ModuleSha256 ?? "");
            }

            result = await coordinator.RunQueuedAsync(job, tier, CancellationToken.None).ConfigureAwait(false);
        }
        catch (ExecutorBusyException busy)
        {
            // Refused before anything ran, so it may safely run later.
            await jobs.ReleaseAsync(job.Id, CancellationToken.None).ConfigureAwait(false);
            return busy;
        }
        catch (Exception e) when (e is ModuleBytesMissingException or ModuleRejectedException or RunRequestRejectedException)
        {
            // The module was deleted after the submit, or the executor refused the run: as the synchronous path, no run.
            result = Rejected(e is ModuleBytesMissingException
                ? "The module was deleted before the execution could run."
                : e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.QueuedExecutionFailed(logger, e, job.Id);
            result = Rejected("The execution could not be run because of an internal error.");
        }

        // Counted whatever the outcome, a rejection included: the execution is finished and its tenant sees it so.
        metrics.QueueWaited(tier, job.CreatedAt, startedAt);
        metrics.Finished(result.Outcome, tier, ExecutionMetrics.Queued);
        var completedAt = time.GetUtcNow();
        await jobs.CompleteAsync(job.Id, result, completedAt, CancellationToken.None).ConfigureAwait(false);

        // The same answer the distributed executor publishes, for whoever subscribes in this host.
        try
        {
            await events.PublishAsync(
                    DaprNames.ExecutionResultsTopic,
                    ExecutionResultEvent.FromRun(job.Id, job.TenantId, job.ModuleId, result, completedAt),
                    CancellationToken.None)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The result is stored; only its announcement is lost.
            Log.ExecutionResultNotPublished(logger, e, job.Id);
        }

        return null;
    }

    private static RunResult Rejected(string message) =>
        new(ExecutionOutcome.Rejected, null, null, message, [], false, [], false, 0, null);
}
