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

        // The same document an outside producer publishes, so the topic has one contract whoever wrote to it.
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in asked.Env)
        {
            env[name] = value;
        }

        var request = new ExecutionRequestEvent
        {
            RequestId = job.Id,
            TenantId = job.TenantId,
            ModuleId = job.ModuleId,
            StdinBase64 = asked.Stdin.Length == 0 ? null : Convert.ToBase64String(asked.Stdin),
            Args = asked.Args,
            Env = env,
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
