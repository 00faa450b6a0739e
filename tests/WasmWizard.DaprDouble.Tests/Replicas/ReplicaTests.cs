using System.Collections.Concurrent;
using System.Net.Http.Json;
using Dapr;
using Dapr.Actors;
using Dapr.Actors.Client;
using Dapr.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using WasmWizard.DaprDouble.PubSub;
using WasmWizard.DaprDouble.Tests.Infrastructure;

namespace WasmWizard.DaprDouble.Tests.Replicas;

/// <summary>
/// Two replicas of "audit" (each its own sidecar and app, as two pods of one deployment) next to a one-replica
/// "executor": pub/sub treats the app id as one consumer group, invocation takes turns, actors stay put.
/// </summary>
public sealed class ReplicaTests : IAsyncLifetime
{
    private const string PubSubName = SidecarNetworkOptions.DefaultPubSub;
    private const string Replicated = "audit";
    private const string Single = "executor";
    private const string RetryOncePrefix = "retry-";
    private const string StuckOnFirstPrefix = "stuck-";
    private const StringComparison Ordinal = StringComparison.Ordinal;

    private readonly SidecarNetwork _network = new(new SidecarNetworkOptions
    {
        DeliveryRetry = new DeliveryRetryPolicy { MaxRetries = 2, Interval = TimeSpan.FromMilliseconds(10) },
    });

    private readonly List<IAsyncDisposable> _apps = [];
    private readonly SidecarDouble[] _replicas = new SidecarDouble[2];
    private readonly TestApp[] _replicaApps = new TestApp[2];
    private readonly ConcurrentQueue<Order>[] _receivedByReplica = [new(), new()];
    private readonly ConcurrentQueue<Order> _receivedBySingle = new();
    private readonly TaskCompletionSource _stuckArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stuckReleased = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private SidecarDouble _publisher = null!;
    private DaprClient _client = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _publisher = await SidecarDouble.StartAsync(new() { AppId = "api", Network = _network }, Token);
        _client = Clients.For(_publisher);
        for (var i = 0; i < _replicas.Length; i++)
        {
            // Replica on the first one too, which is allowed: it only matters once the app id already runs.
            _replicas[i] = await SidecarDouble.StartAsync(
                new() { AppId = Replicated, Network = _network, Replica = true }, Token);
            _apps.Add(_replicas[i]);
            _replicaApps[i] = await StartAppAsync(_replicas[i], _receivedByReplica[i]);
        }

        var single = await SidecarDouble.StartAsync(new() { AppId = Single, Network = _network }, Token);
        _apps.Add(single);
        await StartAppAsync(single, _receivedBySingle);
    }

    public async ValueTask DisposeAsync()
    {
        // A test that failed half way must not leave a delivery held in the app for the teardown to wait on.
        _stuckReleased.TrySetResult();
        _client.Dispose();
        await _network.DisposeAsync();
        foreach (var app in _apps)
        {
            await app.DisposeAsync();
        }
    }

    [Fact]
    public void StartAsync_SameAppIdTwice_GivesReplicasInOrderOfStart()
    {
        Assert.Equal([0, 1], _network.FindReplicas(Replicated).Select(r => r.ReplicaIndex));
        Assert.Same(_replicas[0], _network.FindSidecar(Replicated));
        Assert.Empty(_network.FindReplicas("nobody"));
    }

    [Fact]
    public async Task StartAsync_ReplicaLeaves_ItsIndexIsNotReusedUntilTheAppIdIsGone()
    {
        var options = new SidecarDoubleOptions { AppId = "solo", Network = _network, Replica = true };
        var first = await SidecarDouble.StartAsync(options, Token);
        var second = await SidecarDouble.StartAsync(options, Token);
        await second.DisposeAsync();
        await using var third = await SidecarDouble.StartAsync(options, Token);
        await first.DisposeAsync();
        await third.DisposeAsync();
        await using var again = await SidecarDouble.StartAsync(options, Token);

        Assert.Equal([0, 1, 2, 0], new[] { first, second, third, again }.Select(s => s.ReplicaIndex));
    }

    [Fact]
    public async Task StartAsync_SameAppIdWithoutReplica_StillFails()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => SidecarDouble.StartAsync(
            new() { AppId = Single, Network = _network }, Token));

        Assert.Contains(nameof(SidecarDoubleOptions.Replica), error.Message, StringComparison.Ordinal);
        Assert.Single(_network.FindReplicas(Single));
    }

    [Fact]
    public async Task PublishEvents_TwoReplicas_EachEventReachesExactlyOneAndTheyTakeTurns()
    {
        var orders = await PublishAsync("o", 6);
        await _network.WhenIdleAsync(cancellationToken: Token);

        var toReplicas = _network.Deliveries.Where(d => d.SubscriberAppId == Replicated).ToList();
        Assert.All(toReplicas, d => Assert.Equal(DeliveryOutcome.Succeeded, d.Outcome));
        Assert.Equal(Ids(orders), Ids(toReplicas));
        Assert.Equal(Ids(orders), Ids(_receivedByReplica.SelectMany(q => q)));

        // Round robin over two replicas and six events published one after the other: three each, and the
        // records say which replica took each.
        Assert.Equal([3, 3], _receivedByReplica.Select(q => q.Count));
        for (var i = 0; i < _replicas.Length; i++)
        {
            Assert.Equal(Ids(_receivedByReplica[i]), Ids(toReplicas.Where(d => d.SubscriberReplica == i)));
        }
    }

    [Fact]
    public async Task PublishEvents_TwoReplicasOfOneApp_AnotherAppStillGetsEveryEvent()
    {
        var orders = await PublishAsync("o", 4);
        await _network.WhenIdleAsync(cancellationToken: Token);

        Assert.Equal(Ids(orders), Ids(_receivedBySingle));
        var toSingle = _network.Deliveries.Where(d => d.SubscriberAppId == Single).ToList();
        Assert.Equal(4, toSingle.Count);
        Assert.All(toSingle, d => Assert.Equal(0, d.SubscriberReplica));
        Assert.Equal(8, _network.Deliveries.Count);
    }

    [Fact]
    public async Task PublishEvent_ReplicaAnswersRetry_TheRetryGoesToTheSameReplica()
    {
        // Each replica asks to retry an event the first time it sees it, so a retry sent to the other replica
        // would be answered RETRY again.
        await PublishAsync(RetryOncePrefix, 4);
        await _network.WhenIdleAsync(cancellationToken: Token);

        var toReplicas = _network.Deliveries.Where(d => d.SubscriberAppId == Replicated).ToList();
        Assert.Equal(4, toReplicas.Count);
        Assert.All(toReplicas, d =>
        {
            Assert.Equal(DeliveryOutcome.Succeeded, d.Outcome);
            Assert.Equal([DeliveryVerdict.Retry, DeliveryVerdict.Success], d.Attempts.Select(a => a.Verdict));
            Assert.All(d.Attempts, a => Assert.Equal(d.SubscriberReplica, a.Replica));
        });
        Assert.Equal([0, 0, 1, 1], toReplicas.Select(d => d.SubscriberReplica).Order());
    }

    [Fact]
    public async Task DisposeReplica_TheOtherTakesEveryLaterEventAndCall()
    {
        await PublishAsync("before-", 2);
        await _network.WhenIdleAsync(cancellationToken: Token);
        Assert.Equal([1, 1], _receivedByReplica.Select(q => q.Count));

        await _replicas[0].DisposeAsync();
        await _replicaApps[0].DisposeAsync();
        var later = await PublishAsync("after-", 4);
        await _network.WhenIdleAsync(cancellationToken: Token);
        using var invoke = DaprClient.CreateInvokeHttpClient(Replicated, _publisher.HttpEndpoint);
        var answers = await WhoAnswersAsync(invoke, 2);

        Assert.Same(_replicas[1], _network.FindSidecar(Replicated));
        Assert.Equal([_replicas[1]], _network.FindReplicas(Replicated));
        var toReplicas = _network.Deliveries
            .Where(d => d.SubscriberAppId == Replicated && d.Event.DataAs<Order>()!.Id.StartsWith("after-", Ordinal))
            .ToList();
        Assert.Equal(4, toReplicas.Count);
        Assert.All(toReplicas, d => Assert.Equal((DeliveryOutcome.Succeeded, 1), (d.Outcome, d.SubscriberReplica)));
        Assert.Equal(Ids(later), Ids(_receivedByReplica[1].Where(o => o.Id.StartsWith("after-", Ordinal))));
        Assert.Equal([1, 1], answers);
    }

    [Fact]
    public async Task DisposeReplica_WhileItsDeliveryAwaitsARetry_TheOtherReplicaTakesTheRetry()
    {
        // The first event goes to replica 0, whose app holds it until the replica is gone, then asks to retry.
        await PublishAsync(StuckOnFirstPrefix, 1);
        await _stuckArrived.Task.WaitAsync(Token);
        await _replicas[0].DisposeAsync();
        _stuckReleased.TrySetResult();
        var delivery = await _network.WhenDeliveredAsync(
            "orders", d => d.SubscriberAppId == Replicated, cancellationToken: Token);

        Assert.Equal((DeliveryOutcome.Succeeded, 1), (delivery.Outcome, delivery.SubscriberReplica));
        Assert.Equal(
            [(0, DeliveryVerdict.Retry), (1, DeliveryVerdict.Success)],
            delivery.Attempts.Select(a => (a.Replica, a.Verdict)));
        Assert.Equal([$"{StuckOnFirstPrefix}0"], Ids(_receivedByReplica[1]));
    }

    [Fact]
    public async Task Invoke_TwoReplicas_CallsTakeTurns()
    {
        using var invoke = DaprClient.CreateInvokeHttpClient(Replicated, _publisher.HttpEndpoint);

        var answers = await WhoAnswersAsync(invoke, 4);

        Assert.Equal([0, 0, 1, 1], answers.Order());
        Assert.NotEqual(answers[0], answers[1]);
    }

    [Fact]
    public async Task InvokeActor_TwoReplicas_EachActorIdStaysOnOneReplicaAndBothHostSome()
    {
        var options = new ActorProxyOptions { HttpEndpoint = _publisher.HttpEndpoint };
        var ids = Enumerable.Range(0, 8).Select(i => $"actor-{i}").ToList();

        var first = new List<int>();
        var second = new List<int>();
        foreach (var calls in new[] { first, second })
        {
            foreach (var id in ids)
            {
                var actor = ActorProxy.Create<IReplicaActor>(new ActorId(id), nameof(ReplicaActor), options);
                calls.Add(await actor.WhereAsync());
            }
        }

        Assert.Equal(first, second);

        // The placement hash of these eight ids is fixed, and it spreads them over both replicas.
        Assert.Equal([0, 1], first.Distinct().Order());
    }

    private async Task<TestApp> StartAppAsync(SidecarDouble sidecar, ConcurrentQueue<Order> received)
    {
        var firstSeen = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        var app = await TestApp.StartAsync(
            sidecar,
            builder =>
            {
                builder.Services.AddSingleton(new ReplicaIdentity(sidecar.ReplicaIndex));
                builder.Services.AddActors(o => o.Actors.RegisterActor<ReplicaActor>());
            },
            app =>
            {
                app.UseCloudEvents();
                app.MapSubscribeHandler();
                app.MapActorsHandlers();
                app.MapPost("/orders", async (Order order) =>
                {
                    if (order.Id.StartsWith(RetryOncePrefix, Ordinal) && firstSeen.TryAdd(order.Id, true))
                    {
                        return Results.Json(new { status = "RETRY" });
                    }

                    if (order.Id.StartsWith(StuckOnFirstPrefix, Ordinal) && sidecar.ReplicaIndex == 0)
                    {
                        _stuckArrived.TrySetResult();
                        await _stuckReleased.Task;
                        return Results.Json(new { status = "RETRY" });
                    }

                    received.Enqueue(order);
                    return Results.Ok();
                }).WithTopic(PubSubName, "orders");
                app.MapGet("/whoami", () => sidecar.ReplicaIndex);
            });
        _apps.Add(app);
        return app;
    }

    /// <summary>Publishes <paramref name="count"/> orders one after the other, so their order is fixed.</summary>
    private async Task<List<Order>> PublishAsync(string idPrefix, int count)
    {
        var orders = Enumerable.Range(0, count).Select(i => new Order($"{idPrefix}{i}", i + 1)).ToList();
        foreach (var order in orders)
        {
            await _client.PublishEventAsync(PubSubName, "orders", order, Token);
        }

        return orders;
    }

    private static List<string> Ids(IEnumerable<Order> orders) => [.. orders.Select(o => o.Id).Order()];

    private static List<string> Ids(IEnumerable<Delivery> deliveries) =>
        Ids(deliveries.Select(d => d.Event.DataAs<Order>()!));

    private static async Task<List<int>> WhoAnswersAsync(HttpClient invoke, int calls)
    {
        var answers = new List<int>();
        for (var i = 0; i < calls; i++)
        {
            answers.Add(await invoke.GetFromJsonAsync<int>("/whoami", Token));
        }

        return answers;
    }
}
