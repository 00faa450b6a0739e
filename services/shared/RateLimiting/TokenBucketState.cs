namespace WasmWizard.Shared.RateLimiting;

/// <summary>
/// Two token buckets for one caller: the burst bucket (capacity <c>Burst</c>, refilled at <c>PerMinute</c>/60 per
/// second) and the hourly bucket (capacity <c>PerHour</c>, refilled at <c>PerHour</c>/3600 per second). A request
/// takes a token from each. The same arithmetic serves the in-process limiter and the per-key actor, so both
/// deployments answer alike. Not thread-safe: callers serialise access (a lock, or the actor's turns).
/// </summary>
public sealed class TokenBucketState
{
    private double _burstTokens = double.NaN;
    private double _hourTokens = double.NaN;
    private DateTimeOffset _updated;

    /// <summary>Takes one token from each bucket if both have one.</summary>
    public RateLimitDecision TryAcquire(RateLimitPolicy? policy, DateTimeOffset now)
    {
        if (policy is null)
        {
            return RateLimitDecision.Unlimited(now);
        }

        Refill(policy, now);
        var allowed = _burstTokens >= 1 && _hourTokens >= 1;
        if (allowed)
        {
            _burstTokens -= 1;
            _hourTokens -= 1;
        }

        var remaining = (int)Math.Floor(Math.Min(_burstTokens, _hourTokens));
        var untilFull = TimeSpan.FromSeconds(Math.Max(
            (policy.Burst - _burstTokens) / BurstRate(policy),
            (policy.PerHour - _hourTokens) / HourRate(policy)));
        var retryAfter = allowed
            ? TimeSpan.Zero
            : TimeSpan.FromSeconds(Math.Max(
                Math.Max(0, 1 - _burstTokens) / BurstRate(policy),
                Math.Max(0, 1 - _hourTokens) / HourRate(policy)));
        return new RateLimitDecision(allowed, policy.PerMinute, Math.Max(0, remaining), now + untilFull, retryAfter);
    }

    /// <summary>Whether both buckets would be full at <paramref name="now"/>, so forgetting this state loses nothing.</summary>
    public bool IsIdle(RateLimitPolicy policy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        Refill(policy, now);
        return _burstTokens >= policy.Burst && _hourTokens >= policy.PerHour;
    }

    private void Refill(RateLimitPolicy policy, DateTimeOffset now)
    {
        if (double.IsNaN(_burstTokens))
        {
            _burstTokens = policy.Burst;
            _hourTokens = policy.PerHour;
            _updated = now;
            return;
        }

        var seconds = Math.Max(0, (now - _updated).TotalSeconds);
        _updated = now > _updated ? now : _updated;

        // A tier change applies at once: a smaller tier's capacity caps the tokens left over from a bigger one.
        _burstTokens = Math.Min(policy.Burst, _burstTokens + (seconds * BurstRate(policy)));
        _hourTokens = Math.Min(policy.PerHour, _hourTokens + (seconds * HourRate(policy)));
    }

    private static double BurstRate(RateLimitPolicy policy) => policy.PerMinute / 60.0;

    private static double HourRate(RateLimitPolicy policy) => policy.PerHour / 3600.0;
}
