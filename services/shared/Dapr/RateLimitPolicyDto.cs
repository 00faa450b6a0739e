using System.Runtime.Serialization;
using WasmWizard.Shared.RateLimiting;

namespace WasmWizard.Shared.Dapr;

/// <summary>
/// A <see cref="RateLimitPolicy"/> as it travels to the <see cref="IRateLimitActor"/>. Typed actor proxies
/// serialize arguments with <see cref="DataContractSerializer"/>, which cannot build a positional record without a
/// parameterless constructor unless the type is a data contract; this type is one, and also reads and writes as
/// plain JSON for the weakly typed invocation path.
/// </summary>
/// <param name="PerMinute">Sustained requests per minute.</param>
/// <param name="PerHour">Requests per hour.</param>
/// <param name="Burst">How many requests may come at once.</param>
[DataContract(Name = "RateLimitPolicy", Namespace = DaprNames.ContractNamespace)]
public sealed record RateLimitPolicyDto(
    [property: DataMember(Order = 0)] int PerMinute,
    [property: DataMember(Order = 1)] int PerHour,
    [property: DataMember(Order = 2)] int Burst)
{
    /// <summary>The message for <paramref name="policy"/>.</summary>
    public static RateLimitPolicyDto From(RateLimitPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new RateLimitPolicyDto(policy.PerMinute, policy.PerHour, policy.Burst);
    }

    /// <summary>The policy this message carries.</summary>
    public RateLimitPolicy ToPolicy() => new(PerMinute, PerHour, Burst);
}
