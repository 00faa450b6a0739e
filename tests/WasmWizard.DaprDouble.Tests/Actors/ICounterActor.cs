using Dapr.Actors;

namespace WasmWizard.DaprDouble.Tests.Actors;

/// <summary>A test actor that keeps a count in actor state.</summary>
public interface ICounterActor : IActor
{
    /// <summary>Adds one to the stored count and returns it.</summary>
    Task<int> IncrementAsync();
}
