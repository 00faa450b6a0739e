using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using WasmWizard.Api.Http;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Execution;

namespace WasmWizard.Api.Execution;

/// <summary>
/// The api's face of <see cref="TierRules"/>: what a caller asked for becomes the limits of its run, and asking for
/// more than the caller's tier allows is a 400 <c>limit_exceeds_tier</c>.
/// </summary>
public sealed class TierPolicy(IOptionsMonitor<ApiOptions> options)
{
    /// <summary>The limits of one run for a caller of <paramref name="tier"/>.</summary>
    public RunLimits Resolve(string tier, ExecuteOptions requested)
    {
        ArgumentNullException.ThrowIfNull(requested);
        return TierRules.TryResolve(
                options.CurrentValue, tier, requested.TimeoutMs, requested.MemoryLimitMb, requested.Fuel,
                out var refusal)
            ?? throw new ApiProblemException(StatusCodes.Status400BadRequest, ErrorCodes.LimitExceedsTier, refusal!);
    }

    /// <summary><paramref name="limits"/> cut down to what <paramref name="tier"/> allows now.</summary>
    public RunLimits Clamp(string tier, RunLimits limits) => TierRules.Clamp(options.CurrentValue, tier, limits);

    /// <summary>The limits of <paramref name="tier"/> (the free tier's for a tier not configured).</summary>
    public TierLimits Limits(string tier) => options.CurrentValue.Limits(tier);
}
