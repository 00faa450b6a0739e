using System.Text.Json.Serialization;

namespace WasmWizard.Shared.Dapr.State;

/// <summary>
/// A stored list of ids, newest first: how the Dapr stores list and count what a key-value store cannot scan.
/// Each change rewrites the whole document under its ETag, so its size bounds how often it can change.
/// </summary>
/// <param name="Entries">The ids, in <see cref="Order"/>.</param>
internal sealed record IdIndex(IReadOnlyList<IndexEntry> Entries)
{
    /// <summary>Newest first, the order of SQLite's <c>ORDER BY id DESC</c> over the ids' text.</summary>
    public static readonly IComparer<Guid> Order =
        Comparer<Guid>.Create((a, b) => string.CompareOrdinal(StateKeys.Id(b), StateKeys.Id(a)));

    public static IdIndex Empty { get; } = new([]);

    /// <summary>Derived, so not stored: the document holds only the entries.</summary>
    [JsonIgnore]
    public int Count => Entries.Count;

    public bool Contains(Guid id) => Entries.Any(e => e.Id == id);

    /// <summary>The index with <paramref name="entry"/> in its place; unchanged if the id is there already.</summary>
    public IdIndex With(IndexEntry entry)
    {
        if (Contains(entry.Id))
        {
            return this;
        }

        var entries = Entries.Append(entry).ToList();
        entries.Sort((a, b) => Order.Compare(a.Id, b.Id));
        return new IdIndex(entries);
    }

    public IdIndex Without(Guid id) => new(Entries.Where(e => e.Id != id).ToList());

    /// <summary>Ids of two indexes together, each once, in <see cref="Order"/>.</summary>
    public static IReadOnlyList<Guid> Union(IdIndex first, IdIndex second) =>
        first.Entries.Concat(second.Entries).Select(e => e.Id).Distinct().Order(Order).ToList();
}
