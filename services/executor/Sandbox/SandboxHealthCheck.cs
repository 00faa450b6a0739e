using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace WasmWizard.Executor.Sandbox;

/// <summary>
/// Ready when the Wasmtime engine is built; reports free and total guest slots. With every slot taken it is
/// degraded, not unhealthy: a full executor is working, and failing its readiness would take it out of the Service
/// for a probe period, push its load onto the other replicas until they fill up and fail too, and flap back with
/// every run that ends. Callers get a fast 503 with Retry-After while it is full, and saturation shows here and in
/// <c>wasmwizard_sandbox_slots_free</c>; the autoscaler adds replicas on CPU.
/// </summary>
internal sealed class SandboxHealthCheck(WasmEngine engine, GuestThreadPool pool, IOptions<SandboxOptions> options)
    : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        _ = engine.Engine;
        var free = pool.FreeSlots;
        var data = new Dictionary<string, object>
        {
            ["free_slots"] = free,
            ["total_slots"] = options.Value.MaxConcurrentRuns,
        };
        var description = $"{free} guest slots free";
        return Task.FromResult(free > 0
            ? HealthCheckResult.Healthy(description, data)
            : HealthCheckResult.Degraded(description, data: data));
    }
}
