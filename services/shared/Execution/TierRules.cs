using WasmWizard.Shared.Contracts;

namespace WasmWizard.Shared.Execution;

/// <summary>
/// Turns the limits a run asks for into the limits it gets: the defaults when nothing is asked, and never more than
/// the tier allows. Asking for more is refused rather than silently lowered, so the caller knows. The api answers a
/// refusal with 400, the executor with a refused result event.
/// </summary>
public static class TierRules
{
    /// <summary>
    /// The limits of one run of <paramref name="tier"/>, or null and the reason in <paramref name="refusal"/> when
    /// what was asked is out of the tier's range.
    /// </summary>
    public static RunLimits? TryResolve(
        TierSettings settings, string tier, int? timeoutMs, int? memoryLimitMb, ulong? fuel, out string? refusal)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var caps = settings.Limits(tier);
        refusal = null;
        var timeout = timeoutMs ?? Math.Min(settings.DefaultTimeoutMs, caps.MaxTimeoutMs);
        if (timeout <= 0 || timeout > caps.MaxTimeoutMs)
        {
            refusal = $"timeout_ms must be between 1 and {caps.MaxTimeoutMs} for the {tier} tier.";
            return null;
        }

        var memoryMb = memoryLimitMb ?? Math.Min(settings.DefaultMemoryLimitMb, caps.MaxMemoryLimitMb);
        if (memoryMb <= 0 || memoryMb > caps.MaxMemoryLimitMb)
        {
            refusal = $"memory_limit_mb must be between 1 and {caps.MaxMemoryLimitMb} for the {tier} tier.";
            return null;
        }

        if (fuel == 0)
        {
            refusal = "fuel must be positive.";
            return null;
        }

        if (caps.MaxFuel is { } maxFuel && (fuel ?? ulong.MaxValue) > maxFuel)
        {
            if (fuel is not null)
            {
                refusal = $"fuel must be at most {maxFuel} for the {tier} tier.";
                return null;
            }

            fuel = maxFuel;
        }

        return new RunLimits(timeout, memoryMb * 1024L * 1024L, fuel);
    }

    /// <summary>
    /// <paramref name="limits"/> cut down to what <paramref name="tier"/> allows now: a queued run resolved under a
    /// higher tier runs at the tenant's current one, as every other request does after a tier change.
    /// </summary>
    public static RunLimits Clamp(TierSettings settings, string tier, RunLimits limits)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(limits);
        var caps = settings.Limits(tier);
        var fuel = caps.MaxFuel is { } maxFuel ? Math.Min(limits.Fuel ?? maxFuel, maxFuel) : limits.Fuel;
        return new RunLimits(
            Math.Min(limits.TimeoutMs, caps.MaxTimeoutMs),
            Math.Min(limits.MemoryLimitBytes, caps.MaxMemoryLimitMb * 1024L * 1024L),
            fuel);
    }
}
