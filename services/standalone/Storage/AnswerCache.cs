using System.Collections.Concurrent;

namespace WasmWizard.Standalone.Storage;

/// <summary>
/// Answers a store read from one database file, kept in memory so that what every request asks (its API key, the
/// module it runs) costs no query. A store empties it before any change that could alter an answer returns, so a
/// revoked key or a deleted module stops working at once. One per file and process, shared by every store over
/// that file, since only this process writes the file. Only found records are kept: a client asking for what does
/// not exist must not fill it.
/// </summary>
/// <typeparam name="TKey">What a lookup is by.</typeparam>
/// <typeparam name="TValue">What it found.</typeparam>
internal sealed class AnswerCache<TKey, TValue>
    where TKey : notnull
{
    // Far more than one embedded host serves; past it the cache starts over rather than track use.
    private const int MaxEntries = 10_000;

    private static readonly ConcurrentDictionary<string, AnswerCache<TKey, TValue>> Files = new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<TKey, TValue> _entries = new();
    private readonly Lock _gate = new();
    private long _generation;

    /// <summary>The cache of the database file at <paramref name="path"/> (whatever the spelling of the path).</summary>
    public static AnswerCache<TKey, TValue> For(string path) =>
        Files.GetOrAdd(System.IO.Path.GetFullPath(path), fullPath =>
        {
            var cache = new AnswerCache<TKey, TValue>();
            AnswerCaches.Register(fullPath, cache.Invalidate);
            return cache;
        });

    /// <summary>Read before a lookup and handed to <see cref="Add"/>, so an answer older than a change is not kept.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>The kept answer for <paramref name="key"/>, if any.</summary>
    public bool TryGet(TKey key, out TValue value) => _entries.TryGetValue(key, out value!);

    /// <summary>Keeps a lookup's answer, unless something changed since <paramref name="generation"/> was read.</summary>
    public void Add(TKey key, TValue value, long generation)
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

            _entries[key] = value;
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
