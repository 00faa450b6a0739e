using System.Runtime.Serialization;
using WasmWizard.Shared.RateLimiting;

namespace WasmWizard.Shared.Dapr;

/// <summary>
/// A <see cref="RateLimitDecision"/> as the <see cref="IRateLimitActor"/> returns it: a data contract for actor
/// remoting and plain JSON for the weakly typed path. Kept apart from the domain type so the wire shape stays fixed
/// while replicas of two versions run side by side.
/// </summary>
/// <param name="Allowed">Whether the request may go on.</param>
/// <param name="Limit">Requests per minute of the caller's tier, or null when unlimited.</param>
/// <param name="Remaining">Requests the caller may send right now, or null when unlimited.</param>
/// <param name="Reset">When the caller's buckets are full again.</param>
/// <param name="RetryAfter">When refused: how long until a request would be allowed.</param>
[DataContract(Name = "RateLimitDecision", Namespace = DaprNames.ContractNamespace)]
public sealed record RateLimitDecisionDto(
    [property: DataMember(Order = 0)] bool Allowed,
    [property: DataMember(Order = 1)] int? Limit,
    [property: DataMember(Order = 2)] int? Remaining,
    [property: DataMember(Order = 3)] DateTimeOffset Reset,
    [property: DataMember(Order = 4)] TimeSpan RetryAfter)
{
    /// <summary>The message for <paramref name="decision"/>.</summary>
    public static RateLimitDecisionDto From(RateLimitDecision decision) =>
        new(decision.Allowed, decision.Limit, decision.Remaining, decision.Reset, decision.RetryAfter);

    /// <summary>The decision this message carries.</summary>
    public RateLimitDecision ToDecision() => new(Allowed, Limit, Remaining, Reset, RetryAfter);
}
