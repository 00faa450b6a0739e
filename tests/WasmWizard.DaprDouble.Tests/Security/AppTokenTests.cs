using System.Collections.Concurrent;
using System.Net;
using Dapr;
using Dapr.Actors;
using Dapr.Actors.Client;
using Dapr.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using WasmWizard.DaprDouble.PubSub;
using WasmWizard.DaprDouble.Tests.Actors;
using WasmWizard.DaprDouble.Tests.Infrastructure;

namespace WasmWizard.DaprDouble.Tests.Security;

/// <summary>
/// <see cref="SidecarDoubleOptions.AppToken"/>, daprd's <c>APP_API_TOKEN</c>: the sidecar sends it on every call
/// into its app, and a callee only ever sees its own sidecar's token, never one its caller had.
/// </summary>
public sealed class AppTokenTests : IAsyncLifetime
{
    private const string CallerApiToken = "caller-api-token";
    private const string CallerAppToken = "caller-app-token";
    private const string CalleeAppToken = "callee-app-token";
    private const string PubSubName = SidecarNetworkOptions.DefaultPubSub;

    private readonly SidecarNetwork _network = new();
    private readonly List<IAsyncDisposable> _apps = [];
    private SidecarDouble _caller = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _caller = await SidecarDouble.StartAsync(
        new() { AppId = "api", Network = _network, ApiToken = CallerApiToken, AppToken = CallerAppToken }, Token);

    public async ValueTask DisposeAsync()
    {
        await _network.DisposeAsync();
        foreach (var app in _apps)
        {
            await app.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(CalleeAppToken, CalleeAppToken)]
    [InlineData(null, "")]
    public async Task Invoke_TheCalleeSeesItsOwnAppTokenOnly(string? calleeAppToken, string expected)
    {
        var callee = await SidecarDouble.StartAsync(
            new() { AppId = "executor", Network = _network, AppToken = calleeAppToken }, Token);
        _apps.Add(callee);
        _apps.Add(await TestApp.StartAsync(
            callee, _ => { }, app => app.MapGet("/token", (HttpRequest r) => r.Headers["dapr-api-token"].ToString())));
        using var client = DaprClient.CreateInvokeHttpClient("executor", _caller.HttpEndpoint, CallerApiToken);

        var seen = await client.GetStringAsync("/token", Token);

        Assert.Equal(expected, seen);
    }

    [Fact]
    public void Configuration_HasTheAppToken()
    {
        Assert.Equal(CallerAppToken, _caller.Configuration["APP_API_TOKEN"]);
        Assert.Equal(CallerApiToken, _caller.Configuration["DAPR_API_TOKEN"]);
    }

    [Fact]
    public async Task GuardedApp_EveryCallFromItsSidecarCarriesTheAppToken()
    {
        var guard = new Guard(CalleeAppToken);
        var callee = await StartGuardedAsync(guard, CalleeAppToken);
        using var publisher = Clients.For(_caller, CallerApiToken);
        using var invoker = DaprClient.CreateInvokeHttpClient("executor", _caller.HttpEndpoint, CallerApiToken);
        var actor = ActorProxy.Create<ICounterActor>(
            new ActorId("guarded"),
            nameof(CounterActor),
            new ActorProxyOptions { HttpEndpoint = _caller.HttpEndpoint, DaprApiToken = CallerApiToken });

        await publisher.PublishEventAsync(PubSubName, "orders", new Order("o-1", 1), Token);
        var delivery = await _network.WhenDeliveredAsync("orders", cancellationToken: Token);
        using var invoked = await invoker.GetAsync("/hello", Token);
        var count = await actor.IncrementAsync();

        Assert.Equal([nameof(CounterActor)], callee.ActorTypes);
        Assert.Single(callee.Subscriptions);
        Assert.Equal(DeliveryOutcome.Succeeded, delivery.Outcome);
        Assert.Equal(HttpStatusCode.OK, invoked.StatusCode);
        Assert.Equal(1, count);
        Assert.Empty(guard.Refused);
        Assert.Contains("GET /dapr/subscribe", guard.Admitted);
        Assert.Contains("GET /dapr/config", guard.Admitted);
        Assert.Contains("POST /orders", guard.Admitted);
        Assert.Contains("GET /hello", guard.Admitted);
        Assert.Contains($"PUT /actors/{nameof(CounterActor)}/guarded/method/{nameof(ICounterActor.IncrementAsync)}",
            guard.Admitted);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(CallerAppToken)]
    public async Task GuardedApp_SidecarWithoutItsAppToken_IsRefusedFromTheFirstCall(string? sidecarAppToken)
    {
        var guard = new Guard(CalleeAppToken);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => StartGuardedAsync(guard, sidecarAppToken));

        Assert.Contains("401", error.Message, StringComparison.Ordinal);
        Assert.Equal(["GET /dapr/subscribe"], guard.Refused);
    }

    /// <summary>Starts the executor: actors, a subscription and a route, all behind <paramref name="guard"/>.</summary>
    private async Task<SidecarDouble> StartGuardedAsync(Guard guard, string? sidecarAppToken)
    {
        var sidecar = await SidecarDouble.StartAsync(
            new() { AppId = "executor", Network = _network, AppToken = sidecarAppToken }, Token);
        _apps.Add(sidecar);
        _apps.Add(await TestApp.StartAsync(
            sidecar,
            builder => builder.Services.AddActors(o => o.Actors.RegisterActor<CounterActor>()),
            app =>
            {
                app.Use(guard.CheckAsync);
                app.UseCloudEvents();
                app.MapSubscribeHandler();
                app.MapPost("/orders", (Order _) => Results.Ok()).WithTopic(PubSubName, "orders");
                app.MapGet("/hello", () => "hi");
                app.MapActorsHandlers();
            }));
        return sidecar;
    }

    /// <summary>An app-side check of the app token, recording what it let in and what it refused.</summary>
    private sealed class Guard(string expected)
    {
        public ConcurrentQueue<string> Admitted { get; } = new();

        public ConcurrentQueue<string> Refused { get; } = new();

        public Task CheckAsync(HttpContext context, RequestDelegate next)
        {
            var call = $"{context.Request.Method} {context.Request.Path}";
            if (context.Request.Headers["dapr-api-token"] != expected)
            {
                Refused.Enqueue(call);
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return Task.CompletedTask;
            }

            Admitted.Enqueue(call);
            return next(context);
        }
    }
}
