namespace WasmWizard.DaprDouble.State;

/// <summary>One upsert (a value) or delete (no value) of a stored key, with its concurrency checks.</summary>
/// <param name="StoredKey">The key with its prefix applied.</param>
/// <param name="Value">The new value, or null to delete.</param>
/// <param name="ETag">The version the caller expects, or null or empty for none.</param>
/// <param name="FirstWrite">
/// The caller asked for first-write concurrency: without an ETag, an upsert may only create the key.
/// </param>
internal sealed record StateWrite(string StoredKey, byte[]? Value, string? ETag, bool FirstWrite);
