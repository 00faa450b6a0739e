using Dapr.Actors.Runtime;

namespace WasmWizard.DaprDouble.Tests.Replicas;

/// <summary>Answers with the replica index its app was started with.</summary>
public sealed class ReplicaActor(ActorHost host, ReplicaIdentity identity) : Actor(host), IReplicaActor
{
    /// <inheritdoc />
    public Task<int> WhereAsync() => Task.FromResult(identity.Index);
}
