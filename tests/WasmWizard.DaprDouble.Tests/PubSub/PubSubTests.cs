using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Dapr;
using Dapr.Client;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WasmWizard.DaprDouble.PubSub;
using WasmWizard.DaprDouble.Tests.Infrastructure;

namespace WasmWizard.DaprDouble.Tests.PubSub;

/// <summary>
/// Publishing through the real <see cref="DaprClient"/> and delivery to apps that subscribe the way the services
/// do: <c>UseCloudEvents</c>, <c>MapSubscribeHandler</c> and <c>WithTopic</c>.
/// </summary>
public sealed class PubSubTests : IAsyncLifetime
{
    private const string PubSubName = SidecarNetworkOptions.DefaultPubSub;

    private static readonly TopicOptions OrdersWithDeadLetters = new()
    {
        PubsubName = PubSubName,
        Name = "orders",
        DeadLetterTopic = "orders-dlq",
    };

    private readonly SidecarNetwork _network = new(new SidecarNetworkOptions
    {
        DeliveryRetry = new DeliveryRetryPolicy { MaxRetries = 2, Interval = TimeSpan.FromMilliseconds(10) },
    });

    private readonly List<IAsyncDisposable> _apps = [];
    private SidecarDouble _publisher = null!;
    private DaprClient _client = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _publisher = await SidecarDouble.StartAsync(new() { AppId = "api", Network = _network }, Token);
        _client = Clients.For(_publisher);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _network.DisposeAsync();
        foreach (var app in _apps)
        {
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task PublishEvent_SubscribedApp_ReceivesDataBoundToTheRecord()
    {
        var received = new ConcurrentQueue<Order>();
        await StartSubscriberAsync("audit", app => app
            .MapPost("/orders", (Order order) => Ack(received, order))
            .WithTopic(PubSubName, "orders"));

        await _client.PublishEventAsync(PubSubName, "orders", new Order("o-1", 3), Token);
        var delivery = await _network.WhenDeliveredAsync("orders", cancellationToken: Token);

        Assert.Equal(DeliveryOutcome.Succeeded, delivery.Outcome);
        Assert.Equal("audit", delivery.SubscriberAppId);
        Assert.Equal("/orders", delivery.Subscription.Route);
        Assert.Equal([new Order("o-1", 3)], received);
    }

    [Fact]
    public async Task PublishEvent_JsonData_IsWrappedInDaprdsEnvelope()
    {
        await _client.PublishEventAsync(PubSubName, "orders", new Order("o-1", 3), Token);

        var published = Assert.Single(_network.Published);
        var cloudEvent = published.CloudEvent;
        Assert.True(Guid.TryParse(cloudEvent.GetProperty("id").GetString(), out _));
        Assert.Equal("api", cloudEvent.GetProperty("source").GetString());
        Assert.Equal("com.dapr.event.sent", cloudEvent.GetProperty("type").GetString());
        Assert.Equal("1.0", cloudEvent.GetProperty("specversion").GetString());
        Assert.Equal("application/json", cloudEvent.GetProperty("datacontenttype").GetString());
        Assert.Equal("orders", cloudEvent.GetProperty("topic").GetString());
        Assert.Equal(PubSubName, cloudEvent.GetProperty("pubsubname").GetString());
        Assert.True(DateTimeOffset.TryParse(
            cloudEvent.GetProperty("time").GetString(), CultureInfo.InvariantCulture, out _));
        Assert.Equal(JsonValueKind.Object, cloudEvent.GetProperty("data").ValueKind);
        Assert.Equal(new Order("o-1", 3), published.DataAs<Order>());
        Assert.False(cloudEvent.TryGetProperty("traceparent", out _));
    }

    [Fact]
    public async Task PublishEvent_CloudEventMetadata_OverridesTheAttributes()
    {
        const string traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        var metadata = new Dictionary<string, string>
        {
            ["cloudevent.id"] = "run-42",
            ["cloudevent.type"] = "wasmwizard.run.finished",
            ["cloudevent.traceparent"] = traceParent,
        };

        await _client.PublishEventAsync(PubSubName, "orders", new Order("o-1", 3), metadata, Token);

        var published = Assert.Single(_network.Published);
        Assert.Equal("run-42", published.Id);
        Assert.Equal("wasmwizard.run.finished", published.CloudEvent.GetProperty("type").GetString());
        Assert.Equal(traceParent, published.CloudEvent.GetProperty("traceparent").GetString());
        Assert.Equal("api", published.CloudEvent.GetProperty("source").GetString());
    }

    [Fact]
    public async Task PublishEvent_TraceContext_ReachesTheSubscriberAsW3CHeaders()
    {
        const string traceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        var headers = new ConcurrentQueue<(string TraceParent, string TraceState)>();
        await StartSubscriberAsync("audit", app => app
            .MapPost("/orders", (HttpRequest request) =>
            {
                headers.Enqueue((request.Headers.TraceParent.ToString(), request.Headers.TraceState.ToString()));
                return Results.Ok();
            })
            .WithTopic(PubSubName, "orders"));
        var metadata = new Dictionary<string, string>
        {
            ["cloudevent.traceparent"] = traceParent,
            ["cloudevent.tracestate"] = "ww=1",
        };

        await _client.PublishEventAsync(PubSubName, "orders", new Order("o-1", 3), metadata, Token);
        var delivery = await _network.WhenDeliveredAsync("orders", cancellationToken: Token);

        Assert.Equal(DeliveryOutcome.Succeeded, delivery.Outcome);
        Assert.Equal([(traceParent, "ww=1")], headers);
    }

    [Fact]
    public async Task PublishEvent_AppAnswersRetryThenSuccess_IsDeliveredAgain()
    {
        var calls = 0;
        await StartSubscriberAsync("audit", app => app
            .MapPost("/orders", (Order _) => Results.Json(
                new { status = Interlocked.Increment(ref calls) == 1 ? "RETRY" : "SUCCESS" }))
            .WithTopic(PubSubName, "orders"));

        await _client.PublishEventAsync(PubSubName, "orders", new Order("o-1", 3), Token);
        var delivery = await _network.WhenDeliveredAsync("orders", cancellationToken: Token);

        Assert.Equal(DeliveryOutcome.Succeeded, delivery.Outcome);
        Assert.Equal(
            [(DeliveryVerdict.Retry, "RETRY"), (DeliveryVerdict.Success, "SUCCESS")],
            delivery.Attempts.Select(a => (a.Verdict, a.AppStatus)));
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task PublishEvent_AppAnswersDrop_GoesToTheDeadLetterTopicUnretried()
    {
        var dead = new ConcurrentQueue<Order>();
        await StartSubscriberAsync("audit", app =>
        {
            app.MapPost("/orders", (Order _) => Results.Json(new { status = "DROP" }))
                .WithTopic(OrdersWithDeadLetters);
            app.MapPost("/orders-dlq", (Order order) => Ack(dead, order)).WithTopic(PubSubName, "orders-dlq");
        });

        await _client.PublishEventAsync(PubSubName, "orders", new Order("o-1", 3), Token);
        var delivery = await _network.WhenDeliveredAsync("orders", cancellationToken: Token);
        var deadLetter = await _network.WhenDeliveredAsync("orders-dlq", cancellationToken: Token);

        Assert.Equal(DeliveryOutcome.Dropped, delivery.Outcome);
        Assert.Single(delivery.Attempts);
        Assert.Equal("orders-dlq", delivery.DeadLetterTopic);
        Assert.Equal(DeliveryOutcome.Succeeded, deadLetter.Outcome);
        // The dead letter is the original CloudEvent: same id, and its topic attribute still names the source.
        Assert.Equal(delivery.Event.Id, deadLetter.Event.Id);
        Assert.Equal("orders", deadLetter.Event.CloudEvent.GetProperty("topic").GetString());
        Assert.Equal("audit", deadLetter.Event.PublisherAppId);
        Assert.Equal([new Order("o-1", 3)], dead);
    }

    [Fact]
    public async Task PublishEvent_AppAnswers404_IsDroppedToTheDeadLetterTopic()
    {
        await StartSubscriberAsync("audit", app => app
            .MapPost("/orders", (Order _) => Results.NotFound())
            .WithTopic(OrdersWithDeadLetters));

        await _client.PublishEventAsync(PubSubName, "orders", new Order("o-1", 3), Token);
        var delivery = await _network.WhenDeliveredAsync("orders", cancellationToken: Token);

        Assert.Equal(DeliveryOutcome.Dropped, delivery.Outcome);
        Assert.Equal(404, Assert.Single(delivery.Attempts).StatusCode);
        Assert.Equal("orders-dlq", delivery.DeadLetterTopic);
        Assert.Contains(_network.Published, e => e.Topic == "orders-dlq" && e.Id == delivery.Event.Id);
    }

    [Fact]
    public async Task PublishEvent_AppKeepsFailing_IsRetriedThenDeadLettered()
    {
        await StartSubscriberAsync("audit", app => app
            .MapPost("/orders", (Order _) => Results.StatusCode(StatusCodes.Status503ServiceUnavailable))
            .WithTopic(OrdersWithDeadLetters));

        await _client.PublishEventAsync(PubSubName, "orders", new Order("o-1", 3), Token);
        var delivery = await _network.WhenDeliveredAsync("orders", cancellationToken: Token);

        Assert.Equal(DeliveryOutcome.RetriesExhausted, delivery.Outcome);
        Assert.Equal([503, 503, 503], delivery.Attempts.Select(a => a.StatusCode));
        Assert.Equal("orders-dlq", delivery.DeadLetterTopic);
    }

    [Fact]
    public async Task PublishEvent_DropWithoutDeadLetterTopic_IsOnlyDropped()
    {
        await StartSubscriberAsync("audit", app => app
            .MapPost("/orders", (Order _) => Results.Json(new { status = "DROP" }))
            .WithTopic(PubSubName, "orders"));

        await _client.PublishEventAsync(PubSubName, "orders", new Order("o-1", 3), Token);
        await _network.WhenIdleAsync(cancellationToken: Token);

        var delivery = Assert.Single(_network.Deliveries);
        Assert.Equal(DeliveryOutcome.Dropped, delivery.Outcome);
        Assert.Null(delivery.DeadLetterTopic);
        Assert.Single(_network.Published);
    }

    [Fact]
    public async Task PublishEvent_TwoSubscribingApps_EachGetsItsOwnDelivery()
    {
        var received = new ConcurrentQueue<Order>();
        foreach (var appId in new[] { "audit", "executor" })
        {
            await StartSubscriberAsync(appId, app => app
                .MapPost("/orders", (Order order) => Ack(received, order))
                .WithTopic(PubSubName, "orders"));
        }

        await _client.PublishEventAsync(PubSubName, "orders", new Order("o-1", 3), Token);
        await _network.WhenIdleAsync(cancellationToken: Token);

        Assert.Equal(["audit", "executor"], _network.Deliveries.Select(d => d.SubscriberAppId).Order());
        Assert.All(_network.Deliveries, d => Assert.Equal(DeliveryOutcome.Succeeded, d.Outcome));
        Assert.Equal(2, received.Count);
    }

    [Fact]
    public async Task ConnectApp_NoSubscribeEndpoint_HasNoSubscriptions()
    {
        var sidecar = await StartSubscriberAsync("executor", app => app.MapGet("/hello", () => "hi"));

        await _client.PublishEventAsync(PubSubName, "orders", new Order("o-1", 3), Token);

        Assert.Empty(sidecar.Subscriptions);
        Assert.Equal(0, _network.DeliveriesInFlight);
        Assert.Empty(_network.Deliveries);
    }

    [Fact]
    public async Task WhenDelivered_NothingComes_TimesOutSayingWhatHappened()
    {
        await _client.PublishEventAsync(PubSubName, "orders", new Order("o-1", 3), Token);

        var error = await Assert.ThrowsAsync<TimeoutException>(() => _network.WhenDeliveredAsync(
            "orders", timeout: TimeSpan.FromMilliseconds(100), cancellationToken: Token));

        Assert.Contains("Published on orders: #1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublishEvent_UndeclaredPubSub_IsInvalidArgument()
    {
        var error = await Assert.ThrowsAsync<DaprException>(
            () => _client.PublishEventAsync("kafka", "orders", new Order("o-1", 3), Token));

        Assert.Equal(StatusCode.InvalidArgument, Assert.IsType<RpcException>(error.InnerException).StatusCode);
    }

    private async Task<SidecarDouble> StartSubscriberAsync(string appId, Action<WebApplication> map)
    {
        var sidecar = await SidecarDouble.StartAsync(new() { AppId = appId, Network = _network }, Token);
        _apps.Add(sidecar);
        var app = await TestApp.StartAsync(
            sidecar,
            _ => { },
            app =>
            {
                app.UseCloudEvents();
                app.MapSubscribeHandler();
                map(app);
            });
        _apps.Add(app);
        return sidecar;
    }

    private static IResult Ack(ConcurrentQueue<Order> received, Order order)
    {
        received.Enqueue(order);
        return Results.Ok();
    }
}
