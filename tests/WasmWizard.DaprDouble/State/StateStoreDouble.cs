using System.Globalization;

namespace WasmWizard.DaprDouble.State;

/// <summary>
/// One in-memory state component, shared by every sidecar double of a <see cref="SidecarNetwork"/> as one Redis or
/// PostgreSQL store would be. Keys are stored with their prefix (see <see cref="KeyPrefix"/>), so tests can inspect
/// exactly what each app wrote. ETags are versions from a counter of this store.
/// </summary>
public sealed class StateStoreDouble
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, StateEntry> _entries = new(StringComparer.Ordinal);
    private long _version;

    internal StateStoreDouble(string name, StateStoreOptions options)
    {
        Name = name;
        KeyPrefixMode = options.KeyPrefix;
    }

    /// <summary>The component name apps address the store by.</summary>
    public string Name { get; }

    /// <summary>The component's <c>keyPrefix</c> mode.</summary>
    public string KeyPrefixMode { get; }

    /// <summary>A copy of everything stored, by stored (prefixed) key.</summary>
    public IReadOnlyDictionary<string, StateEntry> Entries
    {
        get
        {
            lock (_lock)
            {
                return new Dictionary<string, StateEntry>(_entries, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>The stored key that a sidecar of <paramref name="appId"/> uses for <paramref name="key"/>.</summary>
    public string StoredKey(string appId, string key) => KeyPrefix.Apply(KeyPrefixMode, Name, appId, key);

    /// <summary>What <paramref name="appId"/> would read for <paramref name="key"/>, or null.</summary>
    public StateEntry? Find(string appId, string key) => Get(StoredKey(appId, key));

    /// <summary>The entry under a stored (prefixed) key, or null.</summary>
    public StateEntry? Get(string storedKey)
    {
        lock (_lock)
        {
            return _entries.GetValueOrDefault(storedKey);
        }
    }

    /// <summary>
    /// Applies writes in order. When <paramref name="atomic"/>, every check passes before anything changes (a
    /// transaction); otherwise writes before a failing one stay applied, as with daprd's per-item bulk save.
    /// </summary>
    /// <exception cref="StateETagException">A write's ETag or first-write check failed.</exception>
    internal void Apply(IReadOnlyList<StateWrite> writes, bool atomic)
    {
        lock (_lock)
        {
            if (atomic)
            {
                CheckAll(writes);
            }

            foreach (var write in writes)
            {
                if (!atomic)
                {
                    Check(write, _entries.GetValueOrDefault(write.StoredKey));
                }

                Commit(write);
            }
        }
    }

    private void CheckAll(IReadOnlyList<StateWrite> writes)
    {
        // Later writes in a transaction see earlier ones, so each is checked against a staged view. A staged
        // entry's ETag is one no caller can hold, as the real one does not exist until commit.
        var staged = new Dictionary<string, StateEntry?>(StringComparer.Ordinal);
        foreach (var write in writes)
        {
            var current = staged.TryGetValue(write.StoredKey, out var seen)
                ? seen
                : _entries.GetValueOrDefault(write.StoredKey);
            Check(write, current);
            staged[write.StoredKey] = write.Value is null ? null : new StateEntry(write.Value, "staged");
        }
    }

    private static void Check(StateWrite write, StateEntry? current)
    {
        if (!string.IsNullOrEmpty(write.ETag))
        {
            if (!long.TryParse(write.ETag, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                throw new StateETagException(write.StoredKey, malformed: true);
            }

            if (current is null || current.ETag != write.ETag)
            {
                throw new StateETagException(write.StoredKey, malformed: false);
            }
        }
        else if (write.FirstWrite && write.Value is not null && current is not null)
        {
            throw new StateETagException(write.StoredKey, malformed: false);
        }
    }

    private void Commit(StateWrite write)
    {
        if (write.Value is null)
        {
            _entries.Remove(write.StoredKey);
            return;
        }

        var etag = (++_version).ToString(CultureInfo.InvariantCulture);
        _entries[write.StoredKey] = new StateEntry(write.Value, etag);
    }
}
