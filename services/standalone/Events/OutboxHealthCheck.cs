using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace WasmWizard.Standalone.Events;

/// <summary>
/// Degraded while events wait in the outbox because a handler (the audit store) refuses them: requests are still
/// served and nothing is lost, but an operator should know the trail is behind. Not unhealthy, so an orchestrator
/// does not take the whole service away for it.
/// </summary>
public sealed class OutboxHealthCheck(OutboxDrainer drainer, SqliteEventOutbox outbox) : IHealthCheck
{
    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        long waiting;
        try
        {
            waiting = await outbox.CountAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            // The database check reports an unreadable file; this one only knows it cannot count.
            return drainer.IsHealthy
                ? HealthCheckResult.Healthy("Events are delivered as they are published.")
                : HealthCheckResult.Degraded("Events wait in the outbox: a handler (the audit store) refuses them.");
        }

        var data = new Dictionary<string, object> { ["pending_events"] = waiting };
        return drainer.IsHealthy
            ? HealthCheckResult.Healthy("Events are delivered as they are published.", data)
            : HealthCheckResult.Degraded(
                $"{waiting} event(s) wait in the outbox: a handler (the audit store) refuses them.", data: data);
    }
}
