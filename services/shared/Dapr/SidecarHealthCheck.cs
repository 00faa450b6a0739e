using Dapr.Client;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace WasmWizard.Shared.Dapr;

/// <summary>
/// Ready only while the sidecar's components are loaded (its outbound health), which is what this service needs to
/// reach state, pub/sub and the other services. It never asks the sidecar's app-facing health, which waits for this
/// very app.
/// </summary>
public sealed class SidecarHealthCheck(DaprClient dapr) : IHealthCheck
{
    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            return await dapr.CheckOutboundHealthAsync(timeout.Token).ConfigureAwait(false)
                ? HealthCheckResult.Healthy("The Dapr sidecar answers.")
                : HealthCheckResult.Unhealthy("The Dapr sidecar is not ready.");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("The Dapr sidecar did not answer within 2 s.");
        }
    }
}
