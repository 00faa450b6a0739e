namespace WasmWizard.Shared.RateLimiting;

/// <summary>The answer to one request's rate check, with what the response headers tell the caller.</summary>
/// <param name="Allowed">Whether the request may go on.</param>
/// <param name="Limit">Requests per minute of the caller's tier, or null when unlimited.</param>
/// <param name="Remaining">Requests the caller may send right now, or null when unlimited.</param>
/// <param name="Reset">When the caller's buckets are full again.</param>
/// <param name="RetryAfter">When refused: how long until a request would be allowed.</param>
public readonly record struct RateLimitDecision(bool Allowed, int? Limit, int? Remaining, DateTimeOffset Reset, TimeSpan RetryAfter)
{
    /// <summary>The decision for a caller without limits.</summary>
    public static RateLimitDecision Unlimited(DateTimeOffset now) => new(true, null, null, now, TimeSpan.Zero);
}
