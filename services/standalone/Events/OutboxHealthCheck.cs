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
        if (drainer.IsHealthy)
        {
            return HealthCheckResult.Healthy("Events are delivered as they are published.");
        }

        var waiting = await outbox.CountAsync(cancellationToken).ConfigureAwait(false);
        return HealthCheckResult.Degraded($"{waiting} event(s) wait in the outbox: a handler (the audit store) refuses them.");
    }
}
