using System.Net;
using Dapr.Client;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using WasmWizard.Audit.Hosting;
using WasmWizard.DaprDouble;
using WasmWizard.DaprDouble.PubSub;
using WasmWizard.Distributed.Tests.Infrastructure;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Dapr;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Distributed.Tests.Audit;

/// <summary>The audit service beside its sidecar: what other services publish on the audit topic is kept once.</summary>
public sealed class AuditServiceTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("ww-audit-").FullName;
    private SidecarNetwork _network = null!;
    private DaprHost<AuditProgram> _audit = null!;
    private SidecarDouble _publisherSidecar = null!;
    private DaprClient _publisherClient = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private string DatabasePath => Path.Combine(_data, "audit.db");

    public async ValueTask InitializeAsync()
    {
        _network = new SidecarNetwork(new SidecarNetworkOptions().AddPubSub(DaprNames.PubSub));
        _audit = await DaprHost<AuditProgram>.StartAsync(
            _network, DaprNames.AuditAppId, new Dictionary<string, string?> { ["Audit:DatabasePath"] = DatabasePath });
        _publisherSidecar = await SidecarDouble.StartAsync(
            new SidecarDoubleOptions { AppId = DaprNames.ApiAppId, Network = _network }, Token);
        _publisherClient = new DaprClientBuilder()
            .UseGrpcEndpoint(_publisherSidecar.GrpcEndpoint)
            .UseHttpEndpoint(_publisherSidecar.HttpEndpoint)
            .Build();
    }

    public async ValueTask DisposeAsync()
    {
        _publisherClient.Dispose();
        await _publisherSidecar.DisposeAsync();
        await _audit.DisposeAsync();
        await _network.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task PublishedEvent_KeptOnce_EvenWhenDeliveredTwice()
    {
        var publisher = new DaprEventPublisher(_publisherClient);
        var sent = Event(AuditEventTypes.KeyCreated);

        await publisher.PublishAsync(DaprNames.AuditTopic, sent, Token);
        await publisher.PublishAsync(DaprNames.AuditTopic, sent, Token);
        await _network.WhenIdleAsync(cancellationToken: Token);

        var deliveries = _network.Deliveries.Where(d => d.Topic == DaprNames.AuditTopic).ToList();
        Assert.Equal(2, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal(DeliveryOutcome.Succeeded, d.Outcome));
        Assert.All(deliveries, d => Assert.Equal(DaprNames.AuditDeadLetterTopic, d.Subscription.DeadLetterTopic));
        var kept = Assert.Single(await Stored());
        Assert.Equal(sent.Id, kept.Id);
        Assert.Equal(sent.Details, kept.Details);
        Assert.Equal(sent.ActorKeyPrefix, kept.ActorKeyPrefix);
    }

    [Fact]
    public async Task UnreadableEvent_DroppedToTheDeadLetterTopic_NothingKept()
    {
        await _publisherClient.PublishEventAsync(DaprNames.PubSub, DaprNames.AuditTopic, new[] { 1, 2, 3 }, Token);

        var delivery = await _network.WhenDeliveredAsync(DaprNames.AuditTopic, cancellationToken: Token);

        Assert.Equal(DeliveryOutcome.Dropped, delivery.Outcome);
        Assert.Equal(DaprNames.AuditDeadLetterTopic, delivery.DeadLetterTopic);
        Assert.Empty(await Stored());
    }

    [Fact]
    public async Task StoreFailing_DeliveryRetriedThenDeadLettered()
    {
        Assert.Empty(await Stored());
        // The table gone: every insert fails until an operator steps in, as with a broken disk.
        await using (var connection = new SqliteConnection($"Data Source={DatabasePath}"))
        {
            await connection.OpenAsync(Token);
            await using var drop = connection.CreateCommand();
            drop.CommandText = "DROP TABLE audit_log";
            await drop.ExecuteNonQueryAsync(Token);
        }

        await new DaprEventPublisher(_publisherClient).PublishAsync(DaprNames.AuditTopic, Event(AuditEventTypes.TierChanged), Token);
        var delivery = await _network.WhenDeliveredAsync(DaprNames.AuditTopic, cancellationToken: Token);

        Assert.Equal(DeliveryOutcome.RetriesExhausted, delivery.Outcome);
        Assert.True(delivery.Attempts.Count > 1, "the failed delivery was not retried");
        Assert.Equal(DaprNames.AuditDeadLetterTopic, delivery.DeadLetterTopic);
    }

    [Fact]
    public async Task Readiness_FollowsTheSidecar()
    {
        using var client = _audit.CreateClient();

        var ready = await client.GetAsync("/health/ready", Token);
        _audit.Sidecar.IsReady = false;
        var notReady = await client.GetAsync("/health/ready", Token);
        var live = await client.GetAsync("/health/live", Token);

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Contains("dapr-sidecar", await notReady.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task Publisher_PubSubDown_DependencyUnavailable()
    {
        _publisherSidecar.Faults.PublishUnavailable = true;

        var error = await Assert.ThrowsAsync<DependencyUnavailableException>(
            () => new DaprEventPublisher(_publisherClient).PublishAsync(DaprNames.AuditTopic, Event(AuditEventTypes.KeyRevoked), Token));

        Assert.Equal("event bus", error.Dependency);
    }

    [Fact]
    public async Task Startup_SidecarNeverReady_FailsWithAClearError()
    {
        await using var sidecar = await SidecarDouble.StartAsync(
            new SidecarDoubleOptions { AppId = "audit-late", Network = _network, Ready = false }, Token);
        var settings = new Dictionary<string, string?>(sidecar.Configuration)
        {
            ["Dapr:SidecarWaitSeconds"] = "1",
            ["Audit:DatabasePath"] = Path.Combine(_data, "late.db"),
        };

        using var client = new DaprClientBuilder().UseGrpcEndpoint(sidecar.GrpcEndpoint).UseHttpEndpoint(sidecar.HttpEndpoint).Build();
        var startup = new SidecarStartup(
            client,
            Options.Create(new DaprSidecarOptions { SidecarWaitSeconds = 1 }),
            new ConfigurationBuilder().Build(),
            NullLogger<SidecarStartup>.Instance);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => startup.StartingAsync(Token));
        // The host itself does not come up (how the failure surfaces through the test host is its own business).
        await Assert.ThrowsAnyAsync<Exception>(() => DaprHost<AuditProgram>.StartWithoutSidecarAsync(settings));

        Assert.Contains("did not become ready within 1 s", error.Message, StringComparison.Ordinal);
    }

    private static AuditEvent Event(string type) => new(
        Guid.CreateVersion7(), type, DateTimeOffset.UtcNow, Guid.CreateVersion7(), Guid.CreateVersion7(), "ww_abcd",
        Guid.CreateVersion7(), null, "127.0.0.1", "0af7651916cd43dd8448eb211c80319c",
        new Dictionary<string, string> { ["tier"] = "pro" });

    private Task<IReadOnlyList<AuditEvent>> Stored() =>
        _audit.Services.GetRequiredService<IAuditEventStore>().ListAsync(100, Token);
}
