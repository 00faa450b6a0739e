using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace WasmWizard.DaprDouble.Actors;

/// <summary>
/// The double's stand-in for the placement service: finds the app, and the replica of it, that hosts an actor and
/// runs one call at a time per actor id, as daprd's turn-based concurrency does.
/// </summary>
internal sealed class ActorPlacement(SidecarNetwork network)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _turns = new(StringComparer.Ordinal);

    /// <summary>
    /// The sidecar whose app hosts the actor: of the app ids whose apps list <paramref name="actorType"/> in
    /// <c>/dapr/config</c>, the first by app id hosts every id of the type (placement would spread ids over them);
    /// of that app's replicas that list it, the one <see cref="Score"/> ranks highest for the actor.
    /// </summary>
    public SidecarDouble? FindHost(string actorType, string actorId)
    {
        var hosts = network.Sidecars.Where(s => s.ActorTypes.Contains(actorType, StringComparer.Ordinal)).ToList();
        if (hosts.Count <= 1)
        {
            return hosts.FirstOrDefault();
        }

        var appId = hosts[0].AppId;
        var key = actorType + "||" + actorId;
        return hosts.Where(s => s.AppId == appId).MaxBy(s => Score(key, s.ReplicaIndex));
    }

    /// <summary>Waits for the actor's turn; dispose the result to end it.</summary>
    public async Task<IDisposable> TakeTurnAsync(string actorType, string actorId, CancellationToken cancellationToken)
    {
        var turn = _turns.GetOrAdd(actorType + "||" + actorId, _ => new SemaphoreSlim(1, 1));
        await turn.WaitAsync(cancellationToken);
        return new Turn(turn);
    }

    /// <summary>
    /// Rendezvous hashing: each replica scores every actor, the highest score hosts it. An actor stays on its
    /// replica while that replica runs, and losing a replica moves only the actors it hosted, as placement's
    /// consistent hashing does. SHA-256 because the scores need a well-mixed hash (FNV put every id of a test on
    /// one replica) that is the same in every process, which <see cref="string.GetHashCode()"/> is not.
    /// </summary>
    private static ulong Score(string actorKey, int replicaIndex) => BinaryPrimitives.ReadUInt64BigEndian(
        SHA256.HashData(Encoding.UTF8.GetBytes($"{replicaIndex}||{actorKey}")));

    private sealed class Turn(SemaphoreSlim turn) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                turn.Release();
            }
        }
    }
}
