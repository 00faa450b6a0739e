namespace WasmWizard.Shared.Ports;

/// <summary>One page of a listing and the total count across all pages.</summary>
public sealed record PagedResult<T>(IReadOnlyList<T> Items, long Total);
