using Dapr.Actors.Runtime;
using Dapr.Actors;
using WasmWizard.Shared.Dapr;
using WasmWizard.Shared.Tests.Infrastructure;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Shared.Tests.Dapr;

public sealed class RateLimitActorTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
    private static readonly RateLimitPolicyDto Free = new(PerMinute: 10, PerHour: 100, Burst: 5);

    private readonly ManualClock _clock = new(Start);

    [Fact]
    public void CreateForTest_ActorType_IsTheSharedName()
    {
        var host = ActorHost.CreateForTest<RateLimitActor>();

        Assert.Equal(DaprNames.RateLimitActorType, host.ActorTypeInfo.ActorTypeName);
        Assert.Equal([typeof(IRateLimitActor)], host.ActorTypeInfo.InterfaceTypes);
    }

    [Fact]
    public async Task AcquireAsync_BurstSpent_RefusedWithRetryAfterOfOneRefill()
    {
        var actor = CreateActor("key:a:free");

        var decisions = new List<RateLimitDecisionDto>();
        for (var i = 0; i < 6; i++)
        {
            decisions.Add(await actor.AcquireAsync(Free, TestContext.Current.CancellationToken));
        }

        Assert.All(decisions.Take(5), d => Assert.True(d.Allowed));
        Assert.Equal([4, 3, 2, 1, 0], decisions.Take(5).Select(d => d.Remaining!.Value));
        var refused = decisions[5];
        Assert.False(refused.Allowed);
        Assert.Equal(10, refused.Limit);
        Assert.Equal(0, refused.Remaining);
        // One burst token comes back every 6 s at 10 per minute.
        Assert.Equal(TimeSpan.FromSeconds(6), refused.RetryAfter);
        // Five hourly tokens take 5 x 36 s to come back, longer than the burst bucket needs.
        Assert.Equal(Start.AddSeconds(180), refused.Reset);
    }

    [Fact]
    public async Task AcquireAsync_ClockAdvances_RefillsAtThePerMinuteRate()
    {
        var actor = CreateActor("key:a:free");
        await SpendAsync(actor, Free, 5);

        _clock.Advance(TimeSpan.FromSeconds(5.9));
        var early = await actor.AcquireAsync(Free, TestContext.Current.CancellationToken);
        _clock.Advance(TimeSpan.FromSeconds(0.1));
        var refilled = await actor.AcquireAsync(Free, TestContext.Current.CancellationToken);
        var again = await actor.AcquireAsync(Free, TestContext.Current.CancellationToken);
        _clock.Advance(TimeSpan.FromSeconds(30));
        var afterHalfAMinute = await actor.AcquireAsync(Free, TestContext.Current.CancellationToken);

        Assert.False(early.Allowed);
        Assert.Equal(0.1, early.RetryAfter.TotalSeconds, precision: 6);
        Assert.True(refilled.Allowed);
        Assert.False(again.Allowed);
        Assert.Equal(TimeSpan.FromSeconds(6), again.RetryAfter);
        // 30 s at one token per 6 s is five tokens: a full burst again, one of which this request spent.
        Assert.True(afterHalfAMinute.Allowed);
        Assert.Equal(4, afterHalfAMinute.Remaining);
    }

    [Fact]
    public async Task AcquireAsync_NoPolicy_AlwaysAllowedWithoutNumbers()
    {
        var actor = CreateActor("key:a:enterprise");

        var decisions = new List<RateLimitDecisionDto>();
        for (var i = 0; i < 1000; i++)
        {
            decisions.Add(await actor.AcquireAsync(null, TestContext.Current.CancellationToken));
        }

        Assert.All(decisions, d =>
        {
            Assert.True(d.Allowed);
            Assert.Null(d.Limit);
            Assert.Null(d.Remaining);
            Assert.Equal(TimeSpan.Zero, d.RetryAfter);
            Assert.Equal(Start, d.Reset);
        });
    }

    [Fact]
    public async Task AcquireAsync_TwoKeys_BucketsAreIndependent()
    {
        var first = CreateActor("key:a:free");
        var second = CreateActor("key:b:free");

        await SpendAsync(first, Free, 5);
        var firstRefused = await first.AcquireAsync(Free, TestContext.Current.CancellationToken);
        var secondAllowed = await second.AcquireAsync(Free, TestContext.Current.CancellationToken);

        Assert.Equal("key:a:free", first.Id.GetId());
        Assert.Equal("key:b:free", second.Id.GetId());
        Assert.False(firstRefused.Allowed);
        Assert.True(secondAllowed.Allowed);
        Assert.Equal(4, secondAllowed.Remaining);
    }

    [Fact]
    public async Task AcquireAsync_SmallerPolicyLater_CapsLeftoverTokensAtOnce()
    {
        var actor = CreateActor("key:a:pro");
        var pro = new RateLimitPolicyDto(PerMinute: 1000, PerHour: 10_000, Burst: 100);
        await SpendAsync(actor, pro, 10);

        var decision = await actor.AcquireAsync(Free, TestContext.Current.CancellationToken);

        Assert.True(decision.Allowed);
        Assert.Equal(10, decision.Limit);
        Assert.Equal(4, decision.Remaining);
    }

    [Fact]
    public async Task AcquireAsync_LargerPolicyLater_RefillsTowardsTheNewBurst()
    {
        var actor = CreateActor("key:a:free");
        await SpendAsync(actor, Free, 5);
        var basic = new RateLimitPolicyDto(PerMinute: 100, PerHour: 1_000, Burst: 20);

        var atOnce = await actor.AcquireAsync(basic, TestContext.Current.CancellationToken);
        _clock.Advance(TimeSpan.FromSeconds(12));
        var later = await actor.AcquireAsync(basic, TestContext.Current.CancellationToken);

        // The spent tokens stay spent; the new rate (one token per 0.6 s) refills them, up to the new burst of 20.
        Assert.False(atOnce.Allowed);
        Assert.Equal(100, atOnce.Limit);
        Assert.Equal(TimeSpan.FromSeconds(0.6), atOnce.RetryAfter);
        Assert.True(later.Allowed);
        Assert.Equal(19, later.Remaining);
    }

    private RateLimitActor CreateActor(string partition)
    {
        var host = ActorHost.CreateForTest<RateLimitActor>(new ActorTestOptions { ActorId = new ActorId(partition) });
        return new RateLimitActor(host, _clock);
    }

    private static async Task SpendAsync(IRateLimitActor actor, RateLimitPolicyDto policy, int requests)
    {
        for (var i = 0; i < requests; i++)
        {
            Assert.True((await actor.AcquireAsync(policy, TestContext.Current.CancellationToken)).Allowed);
        }
    }
}
