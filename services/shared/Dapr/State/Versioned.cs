namespace WasmWizard.Shared.Dapr.State;

/// <summary>A value as read from the state store, with the ETag a later write must present.</summary>
/// <param name="Key">The key read.</param>
/// <param name="Value">The value, or null when the key is absent.</param>
/// <param name="ETag">The version read; empty when the key is absent.</param>
internal readonly record struct Versioned<T>(string Key, T? Value, string ETag)
    where T : class
{
    public bool Exists => Value is not null;
}
