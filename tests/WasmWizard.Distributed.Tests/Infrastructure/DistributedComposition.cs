using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using WasmWizard.Api.Hosting;
using WasmWizard.Audit.Hosting;
using WasmWizard.DaprDouble;
using WasmWizard.DaprDouble.PubSub;
using WasmWizard.DaprDouble.State;
using WasmWizard.Executor.Hosting;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Dapr;
using WasmWizard.Shared.Ports;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Distributed.Tests.Infrastructure;

/// <summary>
/// The three Dapr services, each beside its own sidecar double, on one network holding the shared state store
/// (<c>keyPrefix: name</c>, also the actor store) and the pub/sub broker: what <c>dapr run -f .</c> starts.
/// </summary>
public class DistributedComposition : IComposition
{
    /// <summary>The sidecars' body limit, as <c>maxBodySize</c> in dapr.yaml sets it.</summary>
    public const long MaxBodySize = 32L * 1024 * 1024;

    private readonly SidecarTokens? _tokens;

    private readonly string _data = Directory.CreateTempSubdirectory("ww-distributed-").FullName;
    private SidecarNetwork _network = null!;
    private DaprHost<AuditProgram> _audit = null!;
    private DaprHost<ExecutorProgram> _executor = null!;
    private DaprHost<ApiProgram> _api = null!;

    /// <summary>The composition without tokens: sidecars and apps trust whoever reaches them over loopback.</summary>
    public DistributedComposition()
    {
    }

    /// <summary>The composition with <paramref name="tokens"/> set on every sidecar and app.</summary>
    protected DistributedComposition(SidecarTokens tokens) => _tokens = tokens;

    /// <inheritdoc />
    public string? SkipReason => null;

    /// <summary>The <c>DAPR_API_TOKEN</c> every sidecar asks its callers for, or null when there is none.</summary>
    public string? ApiToken => _tokens?.ApiToken;

    /// <inheritdoc />
    public string AdminKey { get; private set; } = "";

    /// <summary>The sidecars and the broker, for tests that look at what travelled.</summary>
    public SidecarNetwork Network => _network;

    /// <summary>The api and its sidecar.</summary>
    public DaprHost<ApiProgram> Api => _api;

    /// <summary>The audit service and its sidecar.</summary>
    public DaprHost<AuditProgram> Audit => _audit;

    /// <summary>The executor and its sidecar.</summary>
    public DaprHost<ExecutorProgram> Executor => _executor;

    /// <summary>Where the executor keeps the artifacts it compiled, on its own disk.</summary>
    public string CompiledDirectory => Path.Combine(_data, "compiled");

    /// <summary>
    /// How the broker retries a delivery an app asked to retry (the inbound resiliency policy); read when the
    /// composition starts. The double's default (3 retries 20 ms apart) unless a test needs a longer window.
    /// </summary>
    public DeliveryRetryPolicy DeliveryRetry { get; init; } = new();

    /// <summary>
    /// Settings every service gets on top of <see cref="Settings.Common"/> (tier limits, say), as an operator sets
    /// them for all three; read when the composition starts.
    /// </summary>
    public IReadOnlyDictionary<string, string?> ExtraSettings { get; init; } = new Dictionary<string, string?>();

    /// <summary>Where the three services' log lines go besides stdout, when a test reads them; set before start.</summary>
    public LogCapture? Logs { get; init; }

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        _network = new SidecarNetwork(new SidecarNetworkOptions
        {
            ActorStateStore = DaprNames.StateStore,
            DeliveryRetry = DeliveryRetry,
        }.AddStateStore(DaprNames.StateStore, KeyPrefix.Name).AddPubSub(DaprNames.PubSub));
        _audit = await DaprHost<AuditProgram>.StartAsync(
            _network,
            DaprNames.AuditAppId,
            With("Audit:DatabasePath", Path.Combine(_data, "audit", "audit.db")),
            apiToken: ApiToken,
            appToken: _tokens?.AppToken(DaprNames.AuditAppId),
            services: Logs is null ? null : Logs.AddTo);
        _executor = await DaprHost<ExecutorProgram>.StartAsync(
            _network,
            DaprNames.ExecutorAppId,
            With("Sandbox:CompiledCacheDirectory", CompiledDirectory),
            MaxBodySize,
            ApiToken,
            _tokens?.AppToken(DaprNames.ExecutorAppId),
            services: Logs is null ? null : Logs.AddTo);
        var adminKeyFile = Path.Combine(_data, "api", "admin-api-key");
        _api = await DaprHost<ApiProgram>.StartAsync(
            _network,
            DaprNames.ApiAppId,
            With("Api:AdminKeyFile", adminKeyFile),
            MaxBodySize,
            ApiToken,
            _tokens?.AppToken(DaprNames.ApiAppId),
            services: Logs is null ? null : Logs.AddTo);
        AdminKey = (await File.ReadAllTextAsync(adminKeyFile)).Trim();
    }

    /// <inheritdoc />
    public HttpClient CreateClient() => _api.CreateClient();

    /// <summary>
    /// Starts one more executor beside its own sidecar, as a second pod of the deployment: the replicas share the
    /// <c>execution-requests</c> consumer group, and each compiles onto a disk of its own. The caller disposes it.
    /// </summary>
    public async Task<DaprHost<ExecutorProgram>> StartExecutorReplicaAsync()
    {
        var compiled = Path.Combine(_data, "compiled-" + Guid.NewGuid().ToString("N"));
        return await DaprHost<ExecutorProgram>.StartAsync(
            _network,
            DaprNames.ExecutorAppId,
            With("Sandbox:CompiledCacheDirectory", compiled),
            MaxBodySize,
            ApiToken,
            _tokens?.AppToken(DaprNames.ExecutorAppId),
            replica: true);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<AuditEvent>> AuditEventsAsync(CancellationToken cancellationToken) =>
        _audit.Services.GetRequiredService<IAuditEventStore>().ListAsync(1000, cancellationToken);

    /// <summary>The newest <paramref name="limit"/> events of the audit trail (for more than 1,000).</summary>
    public Task<IReadOnlyList<AuditEvent>> AuditEventsAsync(int limit, CancellationToken cancellationToken) =>
        _audit.Services.GetRequiredService<IAuditEventStore>().ListAsync(limit, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// No service here subscribes to the topic, so this reads what the broker was given. The event names its members
    /// with <c>[JsonPropertyName]</c> (snake_case), which the web defaults honour, as the publishing SDK's do.
    /// </remarks>
    public Task<IReadOnlyList<ExecutionResultEvent>> ExecutionResultsAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<ExecutionResultEvent> results = _network.Published
            .Where(e => e.Topic == DaprNames.ExecutionResultsTopic)
            .Select(e => e.DataAs<ExecutionResultEvent>(JsonSerializerOptions.Web)
                ?? throw new InvalidOperationException($"Event {e.Id} on {e.Topic} carries no data."))
            .ToList();
        return Task.FromResult(results);
    }

    /// <inheritdoc />
    public virtual async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        await _executor.DisposeAsync();
        await _audit.DisposeAsync();
        await _network.DisposeAsync();
        Directory.Delete(_data, recursive: true);
        GC.SuppressFinalize(this);
    }

    private Dictionary<string, string?> With(string key, string value)
    {
        var settings = new Dictionary<string, string?>(Settings.Common);
        foreach (var (name, extra) in ExtraSettings)
        {
            settings[name] = extra;
        }

        settings[key] = value;
        return settings;
    }
}
