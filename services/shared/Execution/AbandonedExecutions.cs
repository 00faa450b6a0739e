using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Dapr;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Shared.Execution;

/// <summary>
/// Executions left "running" by a worker that died (an executor process killed mid-run, whose request the broker
/// will not deliver again): long after any run could still be going, whoever looks at one closes it as
/// <c>interrupted</c>, never runs it again, and answers it on <c>execution-results</c>. Without this such an
/// execution would stay running for ever and keep a place in its tenant's backlog.
/// </summary>
public static class AbandonedExecutions
{
    /// <summary>
    /// Room past the longest run a tier allows for what else a claimed execution may wait on (a first compile, the
    /// sandbox, slow stores): a run still going is never closed.
    /// </summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(5);

    /// <summary>Whether <paramref name="job"/> has been running longer than any run can last.</summary>
    public static bool IsAbandoned(ExecutionJob job, TierSettings tiers, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(tiers);
        return job.Status == ExecutionJobStatus.Running
            && job.StartedAt is { } startedAt
            && now - startedAt >= Longest(tiers) + Grace;
    }

    /// <summary>
    /// Closes <paramref name="job"/> as interrupted when it is abandoned, and announces it; returns whether it did.
    /// A job completed meanwhile keeps its result (the store never replaces one).
    /// </summary>
    public static async Task<bool> CloseIfAbandonedAsync(
        ExecutionJob job, TierSettings tiers, IExecutionJobStore jobs, IEventPublisher events, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(time);
        var now = time.GetUtcNow();
        if (!IsAbandoned(job, tiers, now))
        {
            return false;
        }

        var result = new RunResult(
            ExecutionOutcome.Interrupted, null, null,
            "The worker running this execution stopped before it finished; it was not run again.",
            [], false, [], false, 0, null);
        await jobs.CompleteAsync(job.Id, result, now, CancellationToken.None).ConfigureAwait(false);
        try
        {
            await events.PublishAsync(
                    DaprNames.ExecutionResultsTopic,
                    ExecutionResultEvent.FromRun(job.Id, job.TenantId, job.ModuleId, result, now),
                    CancellationToken.None)
                .ConfigureAwait(false);
        }
        catch (DependencyUnavailableException)
        {
            // Stored, so a poll shows it; only the announcement is lost.
        }

        return true;
    }

    private static TimeSpan Longest(TierSettings tiers) =>
        TimeSpan.FromMilliseconds(tiers.Tiers.Values.Max(t => t.MaxTimeoutMs));
}
