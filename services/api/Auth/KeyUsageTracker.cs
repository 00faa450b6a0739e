using System.Collections.Concurrent;

namespace WasmWizard.Api.Auth;

/// <summary>
/// Remembers when each key was last used, in memory; <see cref="KeyUsageFlusher"/> writes it to the store in
/// batches. A request never waits on a database write just to update a timestamp.
/// </summary>
public sealed class KeyUsageTracker
{
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _pending = new();

    /// <summary>Notes that <paramref name="keyId"/> was used at <paramref name="at"/>.</summary>
    public void Record(Guid keyId, DateTimeOffset at) =>
        _pending.AddOrUpdate(keyId, at, (_, seen) => at > seen ? at : seen);

    /// <summary>The last use not yet written to the store, if any.</summary>
    public DateTimeOffset? Pending(Guid keyId) => _pending.TryGetValue(keyId, out var at) ? at : null;

    /// <summary>Takes everything pending; what is recorded meanwhile waits for the next batch.</summary>
    public IReadOnlyCollection<KeyValuePair<Guid, DateTimeOffset>> Drain()
    {
        var batch = new List<KeyValuePair<Guid, DateTimeOffset>>();
        foreach (var keyId in _pending.Keys)
        {
            if (_pending.TryRemove(keyId, out var at))
            {
                batch.Add(KeyValuePair.Create(keyId, at));
            }
        }

        return batch;
    }
}
