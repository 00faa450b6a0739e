using System.Collections.Concurrent;

namespace WasmWizard.Standalone.Storage;

/// <summary>Every <see cref="AnswerCache{TKey,TValue}"/> of a database file, so that opening the file empties them.</summary>
internal static class AnswerCaches
{
    private static readonly ConcurrentDictionary<string, ConcurrentBag<Action>> Invalidations =
        new(StringComparer.Ordinal);

    /// <summary>Records how to empty one cache of the file at <paramref name="fullPath"/>.</summary>
    public static void Register(string fullPath, Action invalidate) =>
        Invalidations.GetOrAdd(fullPath, _ => []).Add(invalidate);

    /// <summary>
    /// Empties every cache of the file at <paramref name="path"/>: a host opening it (a file restored or created
    /// anew at the same path) must not meet answers about what it held before.
    /// </summary>
    public static void ForgetAll(string path)
    {
        if (Invalidations.TryGetValue(System.IO.Path.GetFullPath(path), out var caches))
        {
            foreach (var invalidate in caches)
            {
                invalidate();
            }
        }
    }
}
