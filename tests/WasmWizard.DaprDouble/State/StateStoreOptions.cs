namespace WasmWizard.DaprDouble.State;

/// <summary>The metadata of one state component that changes what the double does.</summary>
public sealed class StateStoreOptions
{
    /// <summary>The component's <c>keyPrefix</c> metadata; see <see cref="State.KeyPrefix"/>.</summary>
    public string KeyPrefix { get; set; } = State.KeyPrefix.AppId;
}
