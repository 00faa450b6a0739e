using Dapr.Actors.Runtime;
using WasmWizard.Shared.RateLimiting;

namespace WasmWizard.Shared.Dapr;

/// <summary>
/// The per-partition token buckets of the distributed deployment, exact across api replicas because Dapr places
/// each actor id on one replica and runs its calls one at a time.
/// </summary>
/// <remarks>
/// The buckets live in a field and are never written to the state store: a write per request would add a store
/// round trip to every API call. The cost is that a restarted or rebalanced actor starts with full buckets, which
/// errs on the side of letting requests through: a caller may get a fresh burst and hourly budget each time its
/// actor moves. Idle deactivation loses nothing while the idle timeout (Dapr's default: an hour) is at least as
/// long as a tier's buckets take to refill, because a forgotten bucket and a full one answer alike.
/// </remarks>
[Actor(TypeName = DaprNames.RateLimitActorType)]
public sealed class RateLimitActor(ActorHost host, TimeProvider time) : Actor(host), IRateLimitActor
{
    private readonly TokenBucketState _buckets = new();

    /// <inheritdoc />
    public Task<RateLimitDecisionDto> AcquireAsync(RateLimitPolicyDto? policy, CancellationToken cancellationToken)
    {
        var decision = _buckets.TryAcquire(policy?.ToPolicy(), time.GetUtcNow());
        return Task.FromResult(RateLimitDecisionDto.From(decision));
    }
}
