using Microsoft.AspNetCore.Builder;
using WasmWizard.DaprDouble.Hosting;
using WasmWizard.DaprDouble.PubSub;

namespace WasmWizard.DaprDouble;

/// <summary>
/// An in-process stand-in for one app's daprd: the gRPC runtime API (state and publish) on an HTTP/2-only port,
/// the HTTP API (health, invocation, actors) on an HTTP/1.1 port, both on 127.0.0.1, and the app channel through
/// which it calls the app (subscriptions, deliveries, invocations and actor calls from other sidecars).
/// </summary>
/// <example>
/// <code>
/// await using var network = new SidecarNetwork();
/// await using var sidecar = await SidecarDouble.StartAsync(new() { AppId = "api", Network = network });
/// // start the app with sidecar.Configuration (DAPR_GRPC_ENDPOINT, DAPR_HTTP_ENDPOINT), then:
/// await sidecar.ConnectAppAsync(AppChannel.FromHandler(factory.Server.CreateHandler()));
/// </code>
/// </example>
public sealed class SidecarDouble : IAsyncDisposable
{
    private readonly bool _ownsNetwork;
    private volatile bool _ready;
    private int _notReadyAnswers;
    private volatile IReadOnlyList<Subscription> _subscriptions = [];
    private volatile IReadOnlyList<string> _actorTypes = [];
    private volatile AppChannel? _app;
    private WebApplication? _host;
    private int _disposed;

    private SidecarDouble(SidecarDoubleOptions options, SidecarNetwork network, bool ownsNetwork)
    {
        AppId = options.AppId;
        MaxBodySize = options.MaxBodySize;
        ApiToken = string.IsNullOrEmpty(options.ApiToken) ? null : options.ApiToken;
        AppToken = string.IsNullOrEmpty(options.AppToken) ? null : options.AppToken;
        HostAddress = options.HostAddress;
        Network = network;
        _ownsNetwork = ownsNetwork;
        _ready = options.Ready;
    }

    /// <summary>The app id this sidecar serves.</summary>
    public string AppId { get; }

    /// <summary>
    /// Which replica of <see cref="AppId"/> this is on the network: 0 for a sidecar started while no other runs
    /// with its app id, then 1, 2, … in order of start; an index is not reused while any replica of the app id runs.
    /// </summary>
    /// <seealso cref="SidecarDoubleOptions.Replica"/>
    public int ReplicaIndex { get; private set; }

    /// <summary>The network the sidecar belongs to.</summary>
    public SidecarNetwork Network { get; }

    /// <summary>The gRPC API, e.g. <c>http://127.0.0.1:40123</c>: the app's <c>DAPR_GRPC_ENDPOINT</c>.</summary>
    public string GrpcEndpoint { get; private set; } = "";

    /// <summary>The HTTP API, e.g. <c>http://127.0.0.1:40124</c>: the app's <c>DAPR_HTTP_ENDPOINT</c>.</summary>
    public string HttpEndpoint { get; private set; } = "";

    /// <summary>
    /// <c>DAPR_GRPC_ENDPOINT</c> and <c>DAPR_HTTP_ENDPOINT</c>, plus <c>DAPR_API_TOKEN</c> and
    /// <c>APP_API_TOKEN</c> when the sidecar has them, for <c>AddInMemoryCollection</c> or <c>UseSetting</c>:
    /// <c>AddDaprClient</c> and <c>AddActors</c> read the endpoints and the API token from configuration, and an
    /// app that checks the app token reads <c>APP_API_TOKEN</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string?> Configuration
    {
        get
        {
            var configuration = new Dictionary<string, string?>
            {
                ["DAPR_GRPC_ENDPOINT"] = GrpcEndpoint,
                ["DAPR_HTTP_ENDPOINT"] = HttpEndpoint,
            };
            if (ApiToken is not null)
            {
                configuration["DAPR_API_TOKEN"] = ApiToken;
            }

            if (AppToken is not null)
            {
                configuration["APP_API_TOKEN"] = AppToken;
            }

            return configuration;
        }
    }

    /// <summary>The token every API call must carry (<see cref="SidecarDoubleOptions.ApiToken"/>), or null.</summary>
    public string? ApiToken { get; }

    /// <summary>The token sent on every call to the app (<see cref="SidecarDoubleOptions.AppToken"/>) or null.</summary>
    public string? AppToken { get; }

    /// <summary>The address it adds to the forwarding headers (<see cref="SidecarDoubleOptions.HostAddress"/>).</summary>
    public string HostAddress { get; }

    /// <summary>Largest request body accepted, like <c>--max-body-size</c>.</summary>
    public long MaxBodySize { get; }

    /// <summary>
    /// Whether the sidecar is up: while false, <c>/v1.0/healthz</c> and <c>/v1.0/healthz/outbound</c> answer 500
    /// and the gRPC API answers Unavailable, as a sidecar still loading its components would.
    /// </summary>
    public bool IsReady
    {
        get => _ready;
        set => _ready = value;
    }

    /// <summary>How many health probes were answered "not ready", so a test can wait for polls, not for time.</summary>
    public int NotReadyAnswers => Volatile.Read(ref _notReadyAnswers);

    /// <summary>Switches that make the gRPC API fail on purpose.</summary>
    public SidecarFaults Faults { get; } = new();

    internal void CountNotReadyAnswer() => Interlocked.Increment(ref _notReadyAnswers);

    /// <summary>Whether disposal has begun: the sidecar has left the network and takes no new work.</summary>
    internal bool IsStopped => Volatile.Read(ref _disposed) == 1;

    /// <summary><see cref="AppId"/>, with <c>#</c> and the replica index for every replica but the first.</summary>
    internal string Name => ReplicaIndex == 0 ? AppId : $"{AppId}#{ReplicaIndex}";

    /// <summary>The app, once connected.</summary>
    public AppChannel? App => _app;

    /// <summary>What the app's <c>GET /dapr/subscribe</c> answered when last loaded.</summary>
    public IReadOnlyList<Subscription> Subscriptions => _subscriptions;

    /// <summary>The actor types the app's <c>GET /dapr/config</c> listed when last loaded.</summary>
    public IReadOnlyList<string> ActorTypes => _actorTypes;

    /// <summary>Starts a sidecar on two dynamic loopback ports and, if the app is given, connects it.</summary>
    /// <exception cref="ArgumentException">No app id, or one with <c>||</c> in it.</exception>
    /// <exception cref="InvalidOperationException">
    /// The network already has a sidecar for the app id and <see cref="SidecarDoubleOptions.Replica"/> is not set.
    /// </exception>
    public static async Task<SidecarDouble> StartAsync(
        SidecarDoubleOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.AppId, nameof(options.AppId));
        if (options.AppId.Contains("||", StringComparison.Ordinal))
        {
            throw new ArgumentException("An app id may not contain '||'.", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxBodySize, nameof(options.MaxBodySize));
        var sidecar = new SidecarDouble(options, options.Network ?? new SidecarNetwork(), options.Network is null);
        try
        {
            sidecar.ReplicaIndex = sidecar.Network.Register(sidecar, options.Replica);
            var started = await SidecarHost.StartAsync(sidecar, options.ConfigureLogging, cancellationToken);
            sidecar._host = started.Host;
            sidecar.GrpcEndpoint = started.GrpcEndpoint;
            sidecar.HttpEndpoint = started.HttpEndpoint;
            if (options.App is not null)
            {
                await sidecar.ConnectAppAsync(options.App, cancellationToken);
            }

            return sidecar;
        }
        catch
        {
            await sidecar.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Connects the app and loads its subscriptions and actor types, as daprd does once the app port answers.
    /// The sidecar disposes the channel when it is disposed.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// The app answered <c>/dapr/subscribe</c> or <c>/dapr/config</c> with an error.
    /// </exception>
    public async Task ConnectAppAsync(AppChannel app, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(app);
        var previous = Interlocked.Exchange(ref _app, app);
        if (previous is not null && !ReferenceEquals(previous, app))
        {
            previous.Dispose();
        }

        await LoadSubscriptionsAsync(cancellationToken);
        await LoadActorTypesAsync(cancellationToken);
    }

    /// <summary>Asks the app for its subscriptions again (<c>GET /dapr/subscribe</c>; 404 means none).</summary>
    /// <exception cref="InvalidOperationException">No app is connected, or it answered with an error.</exception>
    public async Task LoadSubscriptionsAsync(CancellationToken cancellationToken = default) =>
        _subscriptions = await AppConfigLoader.LoadSubscriptionsAsync(RequireApp(), AppToken, cancellationToken);

    /// <summary>Asks the app for its actor types again (<c>GET /dapr/config</c>; 404 means none).</summary>
    /// <exception cref="InvalidOperationException">No app is connected, or it answered with an error.</exception>
    public async Task LoadActorTypesAsync(CancellationToken cancellationToken = default) =>
        _actorTypes = await AppConfigLoader.LoadActorTypesAsync(RequireApp(), AppToken, cancellationToken);

    /// <summary>Stops the sidecar, leaves the network, and disposes the network if the sidecar made it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        Network.Unregister(this);
        if (_host is not null)
        {
            await _host.StopAsync();
            await _host.DisposeAsync();
        }

        _app?.Dispose();
        if (_ownsNetwork)
        {
            await Network.DisposeAsync();
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"sidecar double of {Name} (gRPC {GrpcEndpoint}, HTTP {HttpEndpoint})";

    private AppChannel RequireApp() =>
        _app ?? throw new InvalidOperationException($"No app is connected to the sidecar of {AppId}.");
}
