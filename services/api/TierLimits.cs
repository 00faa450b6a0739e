namespace WasmWizard.Api;

/// <summary>The most one run of a tier may use; a caller may ask for less or more up to these.</summary>
public sealed class TierLimits
{
    /// <summary>Longest deadline, in milliseconds.</summary>
    public int MaxTimeoutMs { get; set; }

    /// <summary>Largest linear memory, in MiB.</summary>
    public int MaxMemoryLimitMb { get; set; }

    /// <summary>Largest fuel budget, or null when the tier may ask for any budget.</summary>
    public ulong? MaxFuel { get; set; }
}
