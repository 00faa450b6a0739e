using Microsoft.Extensions.Logging;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Dapr;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Audit;

/// <summary>
/// Handles the audit topic: keeps each event once. The embedded host's in-process publisher and the audit service's
/// Dapr subscription both call this same handler.
/// </summary>
public sealed class AuditEventRecorder(
    IAuditEventStore store, AuditMetrics metrics, TimeProvider time, ILogger<AuditEventRecorder> logger)
    : IEventHandler<AuditEvent>
{
    /// <inheritdoc />
    public string Topic => DaprNames.AuditTopic;

    /// <inheritdoc />
    public async Task HandleAsync(AuditEvent @event, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(@event);
        if (await store.AppendAsync(@event, cancellationToken).ConfigureAwait(false))
        {
            metrics.Written(@event, time.GetUtcNow());
        }
        else
        {
            Log.DuplicateDelivery(logger, @event.Id, @event.Type);
        }
    }
}
