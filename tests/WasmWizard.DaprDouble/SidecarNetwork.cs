using System.Collections.Concurrent;
using WasmWizard.DaprDouble.Actors;
using WasmWizard.DaprDouble.PubSub;
using WasmWizard.DaprDouble.State;

namespace WasmWizard.DaprDouble;

/// <summary>
/// What the sidecar doubles of one test share: the registry of app ids (for invocation and actor placement), one
/// backend per state store, and the broker behind the pub/sub components. Every published and delivered event
/// stays inspectable here, and tests wait on deliveries with <see cref="WhenDeliveredAsync"/>.
/// </summary>
public sealed class SidecarNetwork : IAsyncDisposable
{
    private readonly Lock _registryLock = new();
    private readonly Dictionary<string, List<SidecarDouble>> _replicas = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _nextReplicaIndex = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RoundRobin> _invocationTurns = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StateStoreDouble> _stateStores = new(StringComparer.Ordinal);
    private readonly HashSet<string> _pubSubs = new(StringComparer.Ordinal);
    private readonly TimeSpan _defaultTimeout;
    private int _disposed;

    /// <summary>A network with the components in <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">
    /// Several state stores and no <c>ActorStateStore</c>, or an undeclared one.
    /// </exception>
    public SidecarNetwork(SidecarNetworkOptions? options = null)
    {
        options ??= new SidecarNetworkOptions();
        var stores = options.StateStores.Count > 0
            ? options.StateStores
            : new Dictionary<string, StateStoreOptions> { [SidecarNetworkOptions.DefaultStateStore] = new() };
        foreach (var (name, storeOptions) in stores)
        {
            _stateStores[name] = new StateStoreDouble(name, storeOptions);
        }

        _pubSubs.UnionWith(options.PubSubs.Count > 0 ? options.PubSubs : [SidecarNetworkOptions.DefaultPubSub]);
        ActorStateStore = ChooseActorStateStore(options.ActorStateStore);
        _defaultTimeout = options.DefaultWaitTimeout;
        Broker = new PubSubBroker(this, options.DeliveryRetry, options.TimeProvider);
        Actors = new ActorPlacement(this);
    }

    /// <summary>The sidecars started on this network and not yet disposed, by app id, then replica index.</summary>
    public IReadOnlyCollection<SidecarDouble> Sidecars
    {
        get
        {
            lock (_registryLock)
            {
                return [.. _replicas.OrderBy(r => r.Key, StringComparer.Ordinal).SelectMany(r => r.Value)];
            }
        }
    }

    /// <summary>The names of the pub/sub components.</summary>
    public IReadOnlyCollection<string> PubSubs => _pubSubs;

    /// <summary>The store actor state goes to.</summary>
    public StateStoreDouble ActorStateStore { get; }

    /// <summary>Every event published so far, dead letters included, in order.</summary>
    public IReadOnlyList<PublishedEvent> Published => Broker.Published.Snapshot();

    /// <summary>Every finished delivery so far, in order of completion.</summary>
    public IReadOnlyList<Delivery> Deliveries => Broker.Deliveries.Snapshot();

    /// <summary>How many deliveries are still being attempted or waiting to retry.</summary>
    public int DeliveriesInFlight => Broker.InFlight.Count;

    internal PubSubBroker Broker { get; }

    internal ActorPlacement Actors { get; }

    /// <summary>The backend of the state store called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such store was declared.</exception>
    public StateStoreDouble StateStore(string name = SidecarNetworkOptions.DefaultStateStore) =>
        _stateStores.TryGetValue(name, out var store)
            ? store
            : throw new KeyNotFoundException($"The network has no state store '{name}'.");

    /// <summary>
    /// The sidecar double of <paramref name="appId"/>, if one is running; with several replicas, the one with the
    /// lowest <see cref="SidecarDouble.ReplicaIndex"/> still running.
    /// </summary>
    public SidecarDouble? FindSidecar(string appId) => FindReplicas(appId).FirstOrDefault();

    /// <summary>
    /// Every running replica of <paramref name="appId"/>, by <see cref="SidecarDouble.ReplicaIndex"/>; empty when
    /// none runs.
    /// </summary>
    public IReadOnlyList<SidecarDouble> FindReplicas(string appId)
    {
        ArgumentNullException.ThrowIfNull(appId);
        lock (_registryLock)
        {
            return _replicas.TryGetValue(appId, out var replicas) ? [.. replicas] : [];
        }
    }

    /// <summary>
    /// The first delivery from <paramref name="topic"/>, finished already or yet to finish (successful or not),
    /// that matches <paramref name="predicate"/>.
    /// </summary>
    /// <exception cref="TimeoutException">None finished in time; the message lists what did happen.</exception>
    public Task<Delivery> WhenDeliveredAsync(
        string topic,
        Func<Delivery, bool>? predicate = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return Broker.Deliveries.WaitAsync(
            d => d.Topic == topic && (predicate?.Invoke(d) ?? true),
            timeout ?? _defaultTimeout,
            () => Broker.Describe(topic),
            cancellationToken);
    }

    /// <summary>
    /// The first event published on <paramref name="topic"/>, already or yet to come, that matches
    /// <paramref name="predicate"/>: for events an app publishes in the background.
    /// </summary>
    /// <exception cref="TimeoutException">None came in time.</exception>
    public Task<PublishedEvent> WhenPublishedAsync(
        string topic,
        Func<PublishedEvent, bool>? predicate = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return Broker.Published.WaitAsync(
            e => e.Topic == topic && (predicate?.Invoke(e) ?? true),
            timeout ?? _defaultTimeout,
            () => Broker.Describe(topic),
            cancellationToken);
    }

    /// <summary>Waits until no delivery is in flight, dead letters and retries included.</summary>
    /// <exception cref="TimeoutException">Deliveries were still in flight after the timeout.</exception>
    public async Task WhenIdleAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var wait = timeout ?? _defaultTimeout;
        try
        {
            await Broker.InFlight.WhenIdle().WaitAsync(wait, cancellationToken);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{DeliveriesInFlight} deliveries still in flight after {wait}.", e);
        }
    }

    /// <summary>Stops deliveries and every sidecar still running on the network.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await Broker.DisposeAsync();
        foreach (var sidecar in Sidecars)
        {
            await sidecar.DisposeAsync();
        }
    }

    /// <summary>Adds the sidecar to its app id's replicas and returns its replica index.</summary>
    internal int Register(SidecarDouble sidecar, bool replica)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        lock (_registryLock)
        {
            if (!_replicas.TryGetValue(sidecar.AppId, out var replicas))
            {
                replicas = [];
                _replicas[sidecar.AppId] = replicas;
            }
            else if (replicas.Count > 0 && !replica)
            {
                // Opt-in, so that a test starting the same app twice by mistake still fails loudly.
                throw new InvalidOperationException(
                    $"A sidecar for app id '{sidecar.AppId}' already runs on this network; "
                    + $"set {nameof(SidecarDoubleOptions)}.{nameof(SidecarDoubleOptions.Replica)} to start another "
                    + "replica.");
            }

            // Not reused while the app id runs, so that a delivery record names the replica it went to.
            var index = _nextReplicaIndex.GetValueOrDefault(sidecar.AppId);
            _nextReplicaIndex[sidecar.AppId] = index + 1;
            replicas.Add(sidecar);
            return index;
        }
    }

    internal void Unregister(SidecarDouble sidecar)
    {
        lock (_registryLock)
        {
            if (_replicas.TryGetValue(sidecar.AppId, out var replicas)
                && replicas.Remove(sidecar) && replicas.Count == 0)
            {
                // An app started again after its last replica left is replica 0 again, as a one-replica app
                // always is.
                _replicas.Remove(sidecar.AppId);
                _nextReplicaIndex.Remove(sidecar.AppId);
            }
        }
    }

    /// <summary>
    /// The replica of <paramref name="appId"/> that takes the next service invocation: the replicas with a
    /// connected app in turn, as name resolution spreads calls over instances; null when none runs.
    /// </summary>
    internal SidecarDouble? PickForInvocation(string appId)
    {
        var replicas = FindReplicas(appId);
        if (replicas.Count <= 1)
        {
            return replicas.FirstOrDefault();
        }

        var connected = replicas.Where(r => r.App is not null).ToList();
        if (connected.Count == 0)
        {
            // The caller then gets daprd's "app channel is not initialized" from the first replica.
            return replicas[0];
        }

        return connected[_invocationTurns.GetOrAdd(appId, _ => new RoundRobin()).Next(connected.Count)];
    }

    /// <summary>The store for a state API call, or null when no such component is loaded.</summary>
    internal StateStoreDouble? FindStateStore(string name) => _stateStores.GetValueOrDefault(name);

    private StateStoreDouble ChooseActorStateStore(string? name)
    {
        if (name is not null)
        {
            return _stateStores.TryGetValue(name, out var chosen)
                ? chosen
                : throw new ArgumentException($"ActorStateStore '{name}' is not a declared state store.");
        }

        return _stateStores.Count == 1
            ? _stateStores.Values.First()
            : throw new ArgumentException("Several state stores are declared; set ActorStateStore to one of them.");
    }
}
