using WasmWizard.Shared.Contracts.Events;

namespace WasmWizard.Shared.Ports;

/// <summary>
/// The audit trail: append-only, each event once, each tenant's events chained by hashes so that a changed, removed
/// or reordered row shows.
/// </summary>
public interface IAuditEventStore : IAuditReader
{
    /// <summary>
    /// Keeps <paramref name="event"/> at the end of its tenant's chain unless an event with its id is already kept
    /// (deliveries repeat). Returns whether it was new.
    /// </summary>
    Task<bool> AppendAsync(AuditEvent @event, CancellationToken cancellationToken);

    /// <summary>The newest events, newest first.</summary>
    Task<IReadOnlyList<AuditEvent>> ListAsync(int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Removes events that occurred before <paramref name="cutoff"/>, oldest first, at most
    /// <paramref name="maxEvents"/>; remembers the hash of each chain's last removed event so the rest still
    /// verifies. Returns how many were removed.
    /// </summary>
    Task<int> RemoveOlderThanAsync(DateTimeOffset cutoff, int maxEvents, CancellationToken cancellationToken);

    /// <summary>Throws when the store does not answer (for readiness).</summary>
    Task PingAsync(CancellationToken cancellationToken);
}
