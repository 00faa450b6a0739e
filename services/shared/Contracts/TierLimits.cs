namespace WasmWizard.Shared.Contracts;

/// <summary>The most one run of a tier may use; a caller may ask for less or more up to these.</summary>
public sealed class TierLimits
{
    /// <summary>Longest deadline, in milliseconds.</summary>
    public int MaxTimeoutMs { get; set; }

    /// <summary>Largest linear memory, in MiB.</summary>
    public int MaxMemoryLimitMb { get; set; }

    /// <summary>Largest fuel budget, or null when the tier may ask for any budget.</summary>
    public ulong? MaxFuel { get; set; }

    /// <summary>Sustained requests per minute per API key; null (with the other two) means unlimited.</summary>
    public int? RequestsPerMinute { get; set; }

    /// <summary>Requests per hour per API key.</summary>
    public int? RequestsPerHour { get; set; }

    /// <summary>Requests a key may send at once before the per-minute rate applies.</summary>
    public int? Burst { get; set; }

    /// <summary>Runs one tenant may have in flight at once (all its keys together).</summary>
    public int MaxConcurrentExecutions { get; set; } = 1;

    /// <summary>Uploads one tenant may have in flight at once; each holds a module in memory while it compiles.</summary>
    public int MaxConcurrentUploads { get; set; } = 1;

    /// <summary>Asynchronous executions a tenant may have queued or running at once; null for no limit.</summary>
    public int? MaxPendingExecutions { get; set; } = 10;

    /// <summary>Most modules one tenant may keep stored; null means no cap.</summary>
    public int? MaxModules { get; set; }

    /// <summary>Most bytes of modules one tenant may keep stored, in MiB; null means no cap.</summary>
    public long? MaxStoredMb { get; set; }

    /// <summary>The request rate policy, or null when the tier is unlimited.</summary>
    public RateLimiting.RateLimitPolicy? RatePolicy =>
        RequestsPerMinute is { } perMinute && RequestsPerHour is { } perHour && Burst is { } burst
            ? new RateLimiting.RateLimitPolicy(perMinute, perHour, burst)
            : null;
}
