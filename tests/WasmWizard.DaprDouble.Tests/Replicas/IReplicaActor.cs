using Dapr.Actors;

namespace WasmWizard.DaprDouble.Tests.Replicas;

/// <summary>A test actor that tells which replica of its app hosts it.</summary>
public interface IReplicaActor : IActor
{
    /// <summary>The <see cref="SidecarDouble.ReplicaIndex"/> of the sidecar in front of the hosting app.</summary>
    Task<int> WhereAsync();
}
