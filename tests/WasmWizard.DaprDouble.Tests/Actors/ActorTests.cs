using Dapr;
using Dapr.Actors;
using Dapr.Actors.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using WasmWizard.DaprDouble.Tests.Infrastructure;
using WasmWizard.Shared.Dapr;
using WasmWizard.Tests.Shared;

namespace WasmWizard.DaprDouble.Tests.Actors;

/// <summary>
/// Actor calls from api's sidecar to the app that hosts the actors (found through its <c>/dapr/config</c>), with
/// the SDK's proxies and an app that uses <c>AddActors</c> and <c>MapActorsHandlers</c>.
/// </summary>
public sealed class ActorTests : IAsyncLifetime
{
    private const string HostAppId = "actor-host";

    private readonly SidecarNetwork _network = new();
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero));
    private SidecarDouble _api = null!;
    private SidecarDouble _host = null!;
    private TestApp _hostApp = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private ActorProxyOptions ViaApi => new() { HttpEndpoint = _api.HttpEndpoint };

    public async ValueTask InitializeAsync()
    {
        _api = await SidecarDouble.StartAsync(new() { AppId = "api", Network = _network }, Token);
        _host = await SidecarDouble.StartAsync(new() { AppId = HostAppId, Network = _network }, Token);
        _hostApp = await TestApp.StartAsync(
            _host,
            builder =>
            {
                builder.Services.AddSingleton<TimeProvider>(_clock);
                builder.Services.AddActors(options =>
                {
                    options.Actors.RegisterActor<RateLimitActor>();
                    options.Actors.RegisterActor<CounterActor>();
                });
            },
            app => app.MapActorsHandlers());
    }

    public async ValueTask DisposeAsync()
    {
        await _network.DisposeAsync();
        await _hostApp.DisposeAsync();
    }

    [Fact]
    public void ConnectApp_ActorHost_LoadsItsActorTypes()
    {
        Assert.Equal([nameof(CounterActor), DaprNames.RateLimitActorType], _host.ActorTypes.Order());
        Assert.Empty(_api.ActorTypes);
    }

    [Fact]
    public async Task AcquireAsync_TypedProxy_ReachesTheRateLimitActorAndItsDecisionComesBack()
    {
        var actor = ActorProxy.Create<IRateLimitActor>(
            new ActorId("key:a"), DaprNames.RateLimitActorType, ViaApi);
        var policy = new RateLimitPolicyDto(PerMinute: 60, PerHour: 1000, Burst: 2);

        var first = await actor.AcquireAsync(policy, Token);
        var second = await actor.AcquireAsync(policy, Token);
        var third = await actor.AcquireAsync(policy, Token);

        Assert.Equal((true, 60, 1), (first.Allowed, first.Limit, first.Remaining));
        Assert.Equal((true, 0), (second.Allowed, second.Remaining));
        Assert.False(third.Allowed);
        Assert.Equal(TimeSpan.FromSeconds(1), third.RetryAfter);
    }

    [Fact]
    public async Task AcquireAsync_TwoActorIds_KeepSeparateBuckets()
    {
        var policy = new RateLimitPolicyDto(PerMinute: 60, PerHour: 1000, Burst: 1);
        var a = ActorProxy.Create<IRateLimitActor>(new ActorId("key:a"), DaprNames.RateLimitActorType, ViaApi);
        var b = ActorProxy.Create<IRateLimitActor>(new ActorId("key:b"), DaprNames.RateLimitActorType, ViaApi);

        await a.AcquireAsync(policy, Token);
        var decision = await b.AcquireAsync(policy, Token);

        Assert.True(decision.Allowed);
    }

    [Fact]
    public async Task IncrementAsync_ActorState_IsKeptUnderTheHostsAppIdInTheActorStateStore()
    {
        var counter = ActorProxy.Create<ICounterActor>(new ActorId("c1"), nameof(CounterActor), ViaApi);

        await counter.IncrementAsync();
        var second = await counter.IncrementAsync();

        Assert.Equal(2, second);
        var stored = _network.ActorStateStore.Get($"{HostAppId}||{nameof(CounterActor)}||c1||{CounterActor.CountKey}");
        Assert.Equal("2", stored?.ValueAsString());
    }

    [Fact]
    public async Task IncrementAsync_WeaklyTypedJsonCall_ReachesTheSameActor()
    {
        var typed = ActorProxy.Create<ICounterActor>(new ActorId("c2"), nameof(CounterActor), ViaApi);
        var weak = ActorProxy.Create(new ActorId("c2"), nameof(CounterActor), ViaApi);

        await typed.IncrementAsync();
        var count = await weak.InvokeMethodAsync<int>(nameof(ICounterActor.IncrementAsync), Token);

        Assert.Equal(2, count);
    }

    [Fact]
    public async Task Invoke_TypeNoAppHosts_FailsWithDaprsError()
    {
        var nobody = ActorProxy.Create<ICounterActor>(new ActorId("x"), "NoSuchActor", ViaApi);

        var error = await Assert.ThrowsAsync<DaprApiException>(() => nobody.IncrementAsync());

        Assert.Equal("ERR_ACTOR_INVOKE_METHOD", error.ErrorCode);
    }
}
