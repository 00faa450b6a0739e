using System.Collections.Concurrent;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Standalone.Storage;

/// <summary>
/// Active API keys found in one database file, kept in memory so that a request's authentication costs no query.
/// Every change that can end a key's or user's answer (a revocation, a tier change) empties it before the change's
/// call returns, so a revoked key stops working at once. It is one per file and process, shared by every store
/// over that file, since only this process writes the file. Unknown keys are never kept (a guessing client must not
/// fill it) and expiry is checked on every hit.
/// </summary>
internal sealed class ActiveKeyCache
{
    // Far more keys than one embedded host serves; past it the cache starts over rather than track use.
    private const int MaxEntries = 10_000;

    private static readonly ConcurrentDictionary<string, ActiveKeyCache> Files = new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<string, (ApiKeyRecord Key, UserRecord User)> _entries =
        new(StringComparer.Ordinal);

    private readonly Lock _gate = new();
    private long _generation;

    /// <summary>The cache of the database file at <paramref name="path"/> (whatever the spelling of the path).</summary>
    public static ActiveKeyCache For(string path) =>
        Files.GetOrAdd(System.IO.Path.GetFullPath(path), _ => new ActiveKeyCache());

    /// <summary>Read before a lookup and handed to <see cref="Add"/>, so an answer older than a change is not kept.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>The key with this hash and its user, when kept and not expired at <paramref name="now"/>.</summary>
    public bool TryGet(string keyHash, DateTimeOffset now, out (ApiKeyRecord Key, UserRecord User) match) =>
        _entries.TryGetValue(keyHash, out match) && (match.Key.ExpiresAt is not { } expires || expires > now);

    /// <summary>Keeps a lookup's answer, unless something changed since <paramref name="generation"/> was read.</summary>
    public void Add(string keyHash, (ApiKeyRecord Key, UserRecord User) match, long generation)
    {
        lock (_gate)
        {
            if (generation != _generation)
            {
                return;
            }

            if (_entries.Count >= MaxEntries)
            {
                _entries.Clear();
            }

            _entries[keyHash] = match;
        }
    }

    /// <summary>Forgets every answer; lookups already under way keep theirs out.</summary>
    public void Invalidate()
    {
        lock (_gate)
        {
            _generation++;
            _entries.Clear();
        }
    }
}
