using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using WasmWizard.Api.Http;
using WasmWizard.Shared.Contracts;

namespace WasmWizard.Api.Execution;

/// <summary>
/// Turns what a caller asked for into the limits of a run: the defaults when nothing is asked, and never more than
/// the caller's tier allows. Asking for more is refused rather than silently lowered, so the caller knows.
/// </summary>
public sealed class TierPolicy(IOptionsMonitor<ApiOptions> options)
{
    /// <summary>The limits of one run for a caller of <paramref name="tier"/>.</summary>
    public RunLimits Resolve(string tier, ExecuteOptions requested)
    {
        ArgumentNullException.ThrowIfNull(requested);
        var settings = options.CurrentValue;
        var caps = Limits(tier);

        var timeout = requested.TimeoutMs ?? Math.Min(settings.DefaultTimeoutMs, caps.MaxTimeoutMs);
        if (timeout <= 0 || timeout > caps.MaxTimeoutMs)
        {
            throw Refuse($"timeout_ms must be between 1 and {caps.MaxTimeoutMs} for the {tier} tier.");
        }

        var memoryMb = requested.MemoryLimitMb ?? Math.Min(settings.DefaultMemoryLimitMb, caps.MaxMemoryLimitMb);
        if (memoryMb <= 0 || memoryMb > caps.MaxMemoryLimitMb)
        {
            throw Refuse($"memory_limit_mb must be between 1 and {caps.MaxMemoryLimitMb} for the {tier} tier.");
        }

        var fuel = requested.Fuel;
        if (fuel == 0)
        {
            throw Refuse("fuel must be positive.");
        }

        if (caps.MaxFuel is { } maxFuel && (fuel ?? ulong.MaxValue) > maxFuel)
        {
            if (fuel is not null)
            {
                throw Refuse($"fuel must be at most {maxFuel} for the {tier} tier.");
            }

            fuel = maxFuel;
        }

        return new RunLimits(timeout, memoryMb * 1024L * 1024L, fuel);
    }

    /// <summary>
    /// <paramref name="limits"/> cut down to what <paramref name="tier"/> allows now: a queued run resolved under a
    /// higher tier runs at the tenant's current one, as every other request does after a tier change.
    /// </summary>
    public RunLimits Clamp(string tier, RunLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var caps = Limits(tier);
        var fuel = caps.MaxFuel is { } maxFuel ? Math.Min(limits.Fuel ?? maxFuel, maxFuel) : limits.Fuel;
        return new RunLimits(
            Math.Min(limits.TimeoutMs, caps.MaxTimeoutMs),
            Math.Min(limits.MemoryLimitBytes, caps.MaxMemoryLimitMb * 1024L * 1024L),
            fuel);
    }

    /// <summary>The limits of <paramref name="tier"/> (the free tier's for a tier not configured).</summary>
    public TierLimits Limits(string tier)
    {
        var settings = options.CurrentValue;
        return settings.Tiers.TryGetValue(tier, out var limits) ? limits : settings.Tiers[Tiers.Free];
    }

    private static ApiProblemException Refuse(string message) =>
        new(StatusCodes.Status400BadRequest, ErrorCodes.LimitExceedsTier, message);
}
