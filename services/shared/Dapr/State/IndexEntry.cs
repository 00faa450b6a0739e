using System.Text.Json.Serialization;

namespace WasmWizard.Shared.Dapr.State;

/// <summary>One id in an <see cref="IdIndex"/>.</summary>
/// <param name="Id">The id.</param>
/// <param name="Bytes">
/// For an owner's modules, the module's size, so usage needs only the index; absent elsewhere.
/// </param>
internal sealed record IndexEntry(
    Guid Id,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Bytes = null);
