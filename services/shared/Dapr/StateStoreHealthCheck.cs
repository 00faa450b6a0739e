using Dapr;
using Dapr.Client;
using Grpc.Core;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace WasmWizard.Shared.Dapr;

/// <summary>
/// Ready while the state store answers a read through the sidecar: the api keeps users, keys, modules and executions
/// there, so without it no request but a probe can be served. A read of a key nobody writes; it goes to the store
/// (Redis, PostgreSQL) through daprd's gRPC API, never to daprd's app-facing health, which waits for this app.
/// </summary>
public sealed class StateStoreHealthCheck(DaprClient dapr) : IHealthCheck
{
    /// <summary>The key read; it is never written, so the read costs the store one lookup of a missing key.</summary>
    public const string ProbeKey = "health-probe";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["store"] = DaprNames.StateStore };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await dapr.GetStateAsync<string>(DaprNames.StateStore, ProbeKey, cancellationToken: timeout.Token)
                .ConfigureAwait(false);
            return HealthCheckResult.Healthy("The state store answers through the sidecar.", data);
        }
        catch (Exception e) when (e is DaprException or RpcException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return HealthCheckResult.Unhealthy("The state store does not answer through the sidecar.", e, data);
        }
    }
}
