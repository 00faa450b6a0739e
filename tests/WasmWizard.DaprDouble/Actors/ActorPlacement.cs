using System.Collections.Concurrent;

namespace WasmWizard.DaprDouble.Actors;

/// <summary>
/// The double's stand-in for the placement service: finds the app that hosts an actor type and runs one call at
/// a time per actor id, as daprd's turn-based concurrency does.
/// </summary>
internal sealed class ActorPlacement(SidecarNetwork network)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _turns = new(StringComparer.Ordinal);

    /// <summary>
    /// The sidecar whose app lists <paramref name="actorType"/> in <c>/dapr/config</c>. When several do, the
    /// first by app id hosts every id of the type (placement would spread ids over them).
    /// </summary>
    public SidecarDouble? FindHost(string actorType) =>
        network.Sidecars.FirstOrDefault(s => s.ActorTypes.Contains(actorType, StringComparer.Ordinal));

    /// <summary>Waits for the actor's turn; dispose the result to end it.</summary>
    public async Task<IDisposable> TakeTurnAsync(string actorType, string actorId, CancellationToken cancellationToken)
    {
        var turn = _turns.GetOrAdd(actorType + "||" + actorId, _ => new SemaphoreSlim(1, 1));
        await turn.WaitAsync(cancellationToken);
        return new Turn(turn);
    }

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
