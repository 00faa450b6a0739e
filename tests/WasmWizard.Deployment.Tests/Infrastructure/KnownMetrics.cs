namespace WasmWizard.Deployment.Tests.Infrastructure;

/// <summary>
/// The Prometheus metric names the services export, as agreed for issue 7, for checking dashboards and alerts
/// offline. A live scrape of the services is the stronger check; this list catches a misspelt name at once.
/// </summary>
public static class KnownMetrics
{
    private static readonly string[] s_counters =
    [
        "wasmwizard_executions_total",
        "wasmwizard_sandbox_runs_total",
        "wasmwizard_sandbox_fuel_consumed_total",
        "wasmwizard_sandbox_module_cache_memory_hits_total",
        "wasmwizard_sandbox_module_cache_disk_loads_total",
        "wasmwizard_sandbox_module_cache_compilations_total",
        "wasmwizard_sandbox_module_cache_misses_total",
        "wasmwizard_sandbox_module_cache_evictions_total",
        "wasmwizard_rate_limit_refusals_total",
        "wasmwizard_auth_failures_total",
        "wasmwizard_audit_events_written_total",
        "wasmwizard_audit_chain_verification_failures_total",
    ];

    private static readonly string[] s_gauges =
    [
        "wasmwizard_sandbox_slots_free",
        "wasmwizard_sandbox_runs_active",
    ];

    private static readonly string[] s_histograms =
    [
        "wasmwizard_sandbox_run_duration_seconds",
        "wasmwizard_sandbox_phase_duration_seconds",
        "wasmwizard_execution_queue_wait_seconds",
        "wasmwizard_audit_lag_seconds",
        "http_server_request_duration_seconds",
    ];

    /// <summary>Names a query may use: counters, gauges, and each histogram's _bucket, _count and _sum series.</summary>
    public static IReadOnlySet<string> Names { get; } = s_counters
        .Concat(s_gauges)
        .Concat(s_histograms.SelectMany(h => new[] { h + "_bucket", h + "_count", h + "_sum" }))
        .Append("up")
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>Prefixes of metrics other exporters provide: Dapr's sidecars and kube-state-metrics.</summary>
    public static IReadOnlyList<string> ForeignPrefixes { get; } = ["dapr_", "kube_"];

    /// <summary>Whether a query may use <paramref name="name"/>.</summary>
    public static bool IsKnown(string name) =>
        Names.Contains(name) || ForeignPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal));
}
