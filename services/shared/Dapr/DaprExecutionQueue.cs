using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Shared.Dapr;

/// <summary>
/// The distributed api's run queue: a job it stored as queued is announced on <c>execution-requests</c> with the job's
/// id as the request id, and the executor that consumes it finds the stored job and runs that.
/// </summary>
public sealed class DaprExecutionQueue(IEventPublisher events) : IExecutionQueue
{
    /// <inheritdoc />
    /// <exception cref="Contracts.DependencyUnavailableException">The sidecar or the broker is down.</exception>
    public Task EnqueueAsync(ExecutionJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var asked = job.Request ?? throw new ArgumentException("Only a job that has not run can be queued.", nameof(job));

        // The same document an outside producer publishes, so the topic has one contract whoever wrote to it, but
        // without the input: the executor runs the stored job (found by this id) and never reads stdin, args or env
        // from the announcement, while the broker keeps every event of the topic and of its dead-letter topic for
        // streamTTL (a week). Carrying them here broke "the input is kept only until the run ends".
        var request = new ExecutionRequestEvent
        {
            RequestId = job.Id,
            TenantId = job.TenantId,
            ModuleId = job.ModuleId,
            Limits = new ExecutionRequestLimits
            {
                TimeoutMs = asked.Limits.TimeoutMs,
                MemoryLimitMb = (int)(asked.Limits.MemoryLimitBytes / (1024 * 1024)),
                Fuel = asked.Limits.Fuel,
            },
        };
        return events.PublishAsync(DaprNames.ExecutionRequestsTopic, request, cancellationToken);
    }
}
