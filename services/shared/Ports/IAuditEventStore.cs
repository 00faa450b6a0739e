using WasmWizard.Shared.Contracts.Events;

namespace WasmWizard.Shared.Ports;

/// <summary>The audit trail: append-only, each event once.</summary>
public interface IAuditEventStore
{
    /// <summary>
    /// Keeps <paramref name="event"/> unless an event with its id is already kept (deliveries repeat). Returns
    /// whether it was new.
    /// </summary>
    Task<bool> AppendAsync(AuditEvent @event, CancellationToken cancellationToken);

    /// <summary>The newest events, newest first.</summary>
    Task<IReadOnlyList<AuditEvent>> ListAsync(int limit, CancellationToken cancellationToken);
}
