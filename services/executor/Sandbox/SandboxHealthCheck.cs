using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace WasmWizard.Executor.Sandbox;

/// <summary>Ready when the Wasmtime engine is built; reports how many guest slots are free.</summary>
internal sealed class SandboxHealthCheck(WasmEngine engine, GuestThreadPool pool) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        _ = engine.Engine;
        return Task.FromResult(HealthCheckResult.Healthy($"{pool.FreeSlots} guest slots free"));
    }
}
