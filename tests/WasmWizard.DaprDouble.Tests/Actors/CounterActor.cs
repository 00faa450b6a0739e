using Dapr.Actors.Runtime;

namespace WasmWizard.DaprDouble.Tests.Actors;

/// <summary>Reads and writes actor state through the sidecar, unlike the rate-limit actor.</summary>
public sealed class CounterActor(ActorHost host) : Actor(host), ICounterActor
{
    /// <summary>The state key of the count.</summary>
    public const string CountKey = "count";

    /// <inheritdoc />
    public async Task<int> IncrementAsync()
    {
        var stored = await StateManager.TryGetStateAsync<int>(CountKey);
        var next = (stored.HasValue ? stored.Value : 0) + 1;
        await StateManager.SetStateAsync(CountKey, next);
        return next;
    }
}
