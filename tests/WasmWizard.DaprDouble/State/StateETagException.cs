namespace WasmWizard.DaprDouble.State;

/// <summary>A write's ETag did not match the stored version, or was not a version this store hands out.</summary>
internal sealed class StateETagException(string storedKey, bool malformed) : Exception(
    malformed
        ? $"invalid etag value for key {storedKey}"
        : $"possible etag mismatch. error from state store: etag mismatch for key {storedKey}")
{
    /// <summary>The ETag could not be one of this store's (daprd: InvalidArgument rather than Aborted).</summary>
    public bool Malformed { get; } = malformed;
}
