using Dapr.Actors;
using Dapr;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WasmWizard.Shared.Dapr;
using WasmWizard.Shared.RateLimiting;
using WasmWizard.Shared.Tests.Infrastructure;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Shared.Tests.Dapr;

public sealed class ActorRequestRateLimiterTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
    private static readonly RateLimitPolicy Free = new(PerMinute: 10, PerHour: 100, Burst: 5);
    private static readonly TimeSpan ShortTimeout = TimeSpan.FromMilliseconds(50);

    private readonly ManualClock _clock = new(Start);
    private readonly ListLogger<ActorRequestRateLimiter> _logger = new();

    [Fact]
    public async Task AcquireAsync_ActorAnswers_PassesTheDecisionThrough()
    {
        var refused = new RateLimitDecisionDto(false, 10, 0, Start.AddSeconds(180), TimeSpan.FromSeconds(6));
        var actor = new FakeRateLimitActor((_, _) => Task.FromResult(refused));
        var proxies = new FakeActorProxyFactory(_ => actor);
        var limiter = CreateLimiter(proxies);

        var decision = await limiter.AcquireAsync("key:a:free", Free, TestContext.Current.CancellationToken);

        Assert.Equal(new RateLimitDecision(false, 10, 0, Start.AddSeconds(180), TimeSpan.FromSeconds(6)), decision);
        Assert.Equal([new RateLimitPolicyDto(10, 100, 5)], actor.Received);
        var (id, type) = Assert.Single(proxies.Created);
        Assert.Equal(new ActorId("key:a:free"), id);
        Assert.Equal(DaprNames.RateLimitActorType, type);
        Assert.Empty(_logger.Entries);
    }

    [Fact]
    public async Task AcquireAsync_TwoPartitions_AskTheirOwnActors()
    {
        var actors = new Dictionary<string, FakeRateLimitActor>
        {
            ["key:a:free"] = new((_, _) => Task.FromResult(Allowed(remaining: 4))),
            ["key:b:free"] = new((_, _) => Task.FromResult(Allowed(remaining: 2))),
        };
        var limiter = CreateLimiter(new FakeActorProxyFactory(id => actors[id.GetId()]));

        var a = await limiter.AcquireAsync("key:a:free", Free, TestContext.Current.CancellationToken);
        var b = await limiter.AcquireAsync("key:b:free", Free, TestContext.Current.CancellationToken);

        Assert.Equal(4, a.Remaining);
        Assert.Equal(2, b.Remaining);
        Assert.All(actors.Values, actor => Assert.Single(actor.Received));
    }

    [Fact]
    public async Task AcquireAsync_NoPolicy_UnlimitedWithoutAskingAnActor()
    {
        var proxies = FakeActorProxyFactory.Throwing(new InvalidOperationException("no actor should be asked"));
        var limiter = CreateLimiter(proxies);

        var decision = await limiter.AcquireAsync("key:a:enterprise", null, TestContext.Current.CancellationToken);

        Assert.Equal(RateLimitDecision.Unlimited(Start), decision);
        Assert.Empty(proxies.Created);
        Assert.Empty(_logger.Entries);
    }

    [Fact]
    public async Task AcquireAsync_ActorTimesOut_AllowsUncountedAndWarns()
    {
        var actor = FakeRateLimitActor.Hanging();
        var limiter = CreateLimiter(new FakeActorProxyFactory(_ => actor), ShortTimeout);

        var decision = await limiter.AcquireAsync("key:a:free", Free, TestContext.Current.CancellationToken);

        AssertUncounted(decision);
        var warning = Assert.Single(_logger.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal(9101, warning.EventId.Id);
        Assert.Contains("key:a:free", warning.Message, StringComparison.Ordinal);
        Assert.Contains("50 ms", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AcquireAsync_ActorIgnoresTheToken_StillAnswersAtTheDeadline()
    {
        var limiter = CreateLimiter(new FakeActorProxyFactory(_ => FakeRateLimitActor.Deaf()), ShortTimeout);

        var decision = await limiter
            .AcquireAsync("key:a:free", Free, TestContext.Current.CancellationToken)
            .AsTask()
            .WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        AssertUncounted(decision);
        Assert.Equal(9101, Assert.Single(_logger.Entries).EventId.Id);
    }

    public static TheoryData<string> Failures => ["dapr-api", "actor-method", "connection", "forbidden"];

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task AcquireAsync_ActorCallFails_AllowsUncountedAndWarns(string failure)
    {
        var error = Failure(failure);
        var actor = new FakeRateLimitActor((_, _) => Task.FromException<RateLimitDecisionDto>(error));
        var limiter = CreateLimiter(new FakeActorProxyFactory(_ => actor));

        var decision = await limiter.AcquireAsync("key:a:free", Free, TestContext.Current.CancellationToken);

        AssertUncounted(decision);
        var warning = Assert.Single(_logger.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal(9102, warning.EventId.Id);
        Assert.Contains("key:a:free", warning.Message, StringComparison.Ordinal);
        Assert.Same(error, warning.Exception);
    }

    [Fact]
    public async Task AcquireAsync_EmptyPartition_AllowsUncountedAndWarns()
    {
        // Dapr refuses an empty actor id before any call is made; that is a failure like any other.
        var proxies = new FakeActorProxyFactory(_ => FakeRateLimitActor.Hanging());
        var limiter = CreateLimiter(proxies);

        var decision = await limiter.AcquireAsync(string.Empty, Free, TestContext.Current.CancellationToken);

        AssertUncounted(decision);
        Assert.IsType<ArgumentException>(Assert.Single(_logger.Entries).Exception, exactMatch: false);
        Assert.Empty(proxies.Created);
    }

    [Fact]
    public async Task AcquireAsync_ActorThrowsSynchronously_AllowsUncounted()
    {
        var actor = new FakeRateLimitActor((_, _) => throw new DaprApiException("sidecar unavailable"));
        var limiter = CreateLimiter(new FakeActorProxyFactory(_ => actor));

        var decision = await limiter.AcquireAsync("key:a:free", Free, TestContext.Current.CancellationToken);

        AssertUncounted(decision);
        Assert.Equal(9102, Assert.Single(_logger.Entries).EventId.Id);
    }

    [Fact]
    public async Task AcquireAsync_ProxyCannotBeCreated_AllowsUncounted()
    {
        var limiter = CreateLimiter(FakeActorProxyFactory.Throwing(new InvalidOperationException("no proxy")));

        var decision = await limiter.AcquireAsync("key:a:free", Free, TestContext.Current.CancellationToken);

        AssertUncounted(decision);
        Assert.Equal(9102, Assert.Single(_logger.Entries).EventId.Id);
    }

    [Fact]
    public async Task AcquireAsync_CallerCancelsWhileWaiting_ThrowsTheCallersCancellation()
    {
        var actor = FakeRateLimitActor.Hanging();
        var limiter = CreateLimiter(new FakeActorProxyFactory(_ => actor), TimeSpan.FromSeconds(30));
        using var caller = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        var pending = limiter.AcquireAsync("key:a:free", Free, caller.Token).AsTask();
        await actor.Called.WaitAsync(TestContext.Current.CancellationToken);
        await caller.CancelAsync();
        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);

        Assert.Equal(caller.Token, error.CancellationToken);
        Assert.Empty(_logger.Entries);
    }

    [Fact]
    public async Task AcquireAsync_CallerAlreadyCancelled_ThrowsTheCallersCancellation()
    {
        var actor = new FakeRateLimitActor((_, token) => Task.FromCanceled<RateLimitDecisionDto>(token));
        var limiter = CreateLimiter(new FakeActorProxyFactory(_ => actor));
        using var caller = new CancellationTokenSource();
        await caller.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => limiter.AcquireAsync("key:a:free", Free, caller.Token).AsTask());

        Assert.Equal(caller.Token, error.CancellationToken);
        Assert.Empty(_logger.Entries);
    }

    [Fact]
    public async Task AcquireAsync_ActorCancelsOnItsOwn_AllowsUncounted()
    {
        // A cancellation that is neither the caller's nor the deadline's (an HttpClient timeout, say) is a failure.
        var actor = new FakeRateLimitActor((_, _) => Task.FromException<RateLimitDecisionDto>(
            new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout")));
        var limiter = CreateLimiter(new FakeActorProxyFactory(_ => actor));

        var decision = await limiter.AcquireAsync("key:a:free", Free, TestContext.Current.CancellationToken);

        AssertUncounted(decision);
        Assert.Equal(9102, Assert.Single(_logger.Entries).EventId.Id);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(30_001)]
    public void Constructor_TimeoutOutOfRange_Throws(int milliseconds)
    {
        var timeout = TimeSpan.FromMilliseconds(milliseconds);
        var options = Options.Create(new ActorRateLimiterOptions { Timeout = timeout });

        var error = Assert.Throws<OptionsValidationException>(
            () => new ActorRequestRateLimiter(new FakeActorProxyFactory(_ => null!), options, _clock, _logger));

        Assert.Contains("RateLimiting:Actor:Timeout", error.Message, StringComparison.Ordinal);
    }

    private ActorRequestRateLimiter CreateLimiter(FakeActorProxyFactory proxies, TimeSpan? timeout = null)
    {
        var options = new ActorRateLimiterOptions();
        if (timeout is { } value)
        {
            options.Timeout = value;
        }

        return new ActorRequestRateLimiter(proxies, Options.Create(options), _clock, _logger);
    }

    private static RateLimitDecisionDto Allowed(int remaining) =>
        new(true, 10, remaining, Start.AddSeconds(36), TimeSpan.Zero);

    private static void AssertUncounted(RateLimitDecision decision)
    {
        Assert.True(decision.Allowed);
        Assert.Equal(Free.PerMinute, decision.Limit);
        Assert.Null(decision.Remaining);
        Assert.Equal(Start, decision.Reset);
        Assert.Equal(TimeSpan.Zero, decision.RetryAfter);
    }

    private static Exception Failure(string kind) => kind switch
    {
        "dapr-api" => new DaprApiException("boom", "ERR_ACTOR_INVOKE_METHOD", isTransient: false),
        "actor-method" => new ActorMethodInvocationException("Remote Actor Method Exception", isTransient: false),
        "connection" => new HttpRequestException("Connection refused (127.0.0.1:3500)"),
        "forbidden" => new System.Security.Authentication.AuthenticationException("Invalid client credentials"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
