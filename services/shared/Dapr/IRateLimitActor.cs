using Dapr.Actors;

namespace WasmWizard.Shared.Dapr;

/// <summary>
/// One caller's request budget, kept by one actor per rate-limit partition (an API key or a tenant), so every api
/// replica spends from the same buckets. Dapr runs one call at a time per actor id, which serialises the arithmetic.
/// </summary>
/// <remarks>
/// Typed proxies identify the interface and method on the wire by checksums of their names and namespace, so
/// renaming or moving either breaks calls between replicas of different versions during a rollout.
/// </remarks>
public interface IRateLimitActor : IActor
{
    /// <summary>Takes one request's token from the caller's buckets.</summary>
    /// <param name="policy">The caller's tier rate, or null when the tier is unlimited.</param>
    /// <param name="cancellationToken">
    /// On the caller's side it aborts the HTTP call to the sidecar; it is not sent, and the actor gets the actor
    /// runtime's own request token.
    /// </param>
    Task<RateLimitDecisionDto> AcquireAsync(RateLimitPolicyDto? policy, CancellationToken cancellationToken);
}
