namespace WasmWizard.Shared.Contracts;

/// <summary>
/// The tiers and the defaults of a run that asks for no limits. The api checks its callers against them and the
/// executor checks the execution requests it consumes against the same ones, so both read them from the section
/// <c>Api</c> (<c>Api:Tiers</c>, <c>Api:DefaultTimeoutMs</c>, <c>Api:DefaultMemoryLimitMb</c>).
/// </summary>
public class TierSettings
{
    /// <summary>The configuration section both services read.</summary>
    public const string TierSectionName = "Api";

    /// <summary>Deadline of a run that asks for none (capped by the tier).</summary>
    public int DefaultTimeoutMs { get; set; } = 5_000;

    /// <summary>Memory limit of a run that asks for none (capped by the tier).</summary>
    public int DefaultMemoryLimitMb { get; set; } = 128;

    /// <summary>What one run may use, per tier.</summary>
    public Dictionary<string, TierLimits> Tiers { get; set; } = new(StringComparer.Ordinal)
    {
        ["free"] = new()
        {
            MaxTimeoutMs = 5_000, MaxMemoryLimitMb = 128, RequestsPerMinute = 10, RequestsPerHour = 100, Burst = 5,
            MaxConcurrentExecutions = 1, MaxConcurrentUploads = 1, MaxModules = 10, MaxStoredMb = 50,
            MaxPendingExecutions = 10,
        },
        ["basic"] = new()
        {
            MaxTimeoutMs = 10_000, MaxMemoryLimitMb = 256, RequestsPerMinute = 100, RequestsPerHour = 1_000, Burst = 20,
            MaxConcurrentExecutions = 4, MaxConcurrentUploads = 2, MaxModules = 100, MaxStoredMb = 500,
            MaxPendingExecutions = 100,
        },
        ["pro"] = new()
        {
            MaxTimeoutMs = 30_000, MaxMemoryLimitMb = 512, RequestsPerMinute = 1_000, RequestsPerHour = 10_000,
            Burst = 100, MaxConcurrentExecutions = 16, MaxConcurrentUploads = 4, MaxModules = 1_000, MaxStoredMb = 5_000,
            MaxPendingExecutions = 1_000,
        },
        ["enterprise"] = new()
        {
            MaxTimeoutMs = 60_000, MaxMemoryLimitMb = 1024, MaxConcurrentExecutions = 64, MaxConcurrentUploads = 8,
            MaxPendingExecutions = null,
        },
    };

    /// <summary>The limits of <paramref name="tier"/> (the free tier's for a tier not configured).</summary>
    public TierLimits Limits(string tier) => Tiers.TryGetValue(tier, out var limits) ? limits : Tiers[WasmWizard.Shared.Contracts.Tiers.Free];
}
