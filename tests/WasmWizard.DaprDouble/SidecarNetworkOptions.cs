using WasmWizard.DaprDouble.PubSub;
using WasmWizard.DaprDouble.State;

namespace WasmWizard.DaprDouble;

/// <summary>
/// The components every sidecar of a <see cref="SidecarNetwork"/> loads, as if they shared one components folder.
/// </summary>
/// <remarks>
/// With no state store declared the network has one, <see cref="DefaultStateStore"/> with
/// <see cref="KeyPrefix.AppId"/>; with no pub/sub declared it has <see cref="DefaultPubSub"/>. Calls naming any
/// other component fail as they do with daprd (InvalidArgument).
/// </remarks>
public sealed class SidecarNetworkOptions
{
    /// <summary>The state store a network has when none is declared.</summary>
    public const string DefaultStateStore = "statestore";

    /// <summary>The pub/sub component a network has when none is declared.</summary>
    public const string DefaultPubSub = "pubsub";

    /// <summary>State components by name.</summary>
    public IDictionary<string, StateStoreOptions> StateStores { get; } =
        new Dictionary<string, StateStoreOptions>(StringComparer.Ordinal);

    /// <summary>Pub/sub component names.</summary>
    public ISet<string> PubSubs { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// The store with <c>actorStateStore: "true"</c>. It may stay null when there is only one state store.
    /// </summary>
    public string? ActorStateStore { get; set; }

    /// <summary>Retries of deliveries that the app asks to retry (the inbound resiliency policy).</summary>
    public DeliveryRetryPolicy DeliveryRetry { get; set; } = new();

    /// <summary>How long the network's <c>When…Async</c> methods wait when given no timeout.</summary>
    public TimeSpan DefaultWaitTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Clock for CloudEvent times and for the waits between delivery retries: with a manual clock, retries wait
    /// until the test moves it.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Declares a state store and returns these options, for chaining.</summary>
    public SidecarNetworkOptions AddStateStore(string name, string keyPrefix = KeyPrefix.AppId)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        StateStores[name] = new StateStoreOptions { KeyPrefix = keyPrefix };
        return this;
    }

    /// <summary>Declares a pub/sub component and returns these options, for chaining.</summary>
    public SidecarNetworkOptions AddPubSub(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        PubSubs.Add(name);
        return this;
    }
}
