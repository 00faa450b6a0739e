namespace WasmWizard.Shared.RateLimiting;

/// <summary>
/// Per-caller request rate limits. The embedded host checks them in process; the distributed deployment asks one
/// actor per API key, which is exact across api replicas.
/// </summary>
public interface IRequestRateLimiter
{
    /// <summary>Takes a request's token for <paramref name="partition"/> (an API key id, or a JWT subject).</summary>
    ValueTask<RateLimitDecision> AcquireAsync(string partition, RateLimitPolicy? policy, CancellationToken cancellationToken);
}
