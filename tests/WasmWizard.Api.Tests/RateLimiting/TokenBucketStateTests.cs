using WasmWizard.Shared.RateLimiting;

namespace WasmWizard.Api.Tests.RateLimiting;

public sealed class TokenBucketStateTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
    private static readonly RateLimitPolicy Free = new(PerMinute: 10, PerHour: 100, Burst: 5);

    [Fact]
    public void TryAcquire_BurstSpent_RefusedWithRetryAfterOfOneRefill()
    {
        var state = new TokenBucketState();

        var decisions = Enumerable.Range(0, 6).Select(_ => state.TryAcquire(Free, Start)).ToList();

        Assert.All(decisions.Take(5), d => Assert.True(d.Allowed));
        Assert.Equal([4, 3, 2, 1, 0], decisions.Take(5).Select(d => d.Remaining!.Value));
        Assert.False(decisions[5].Allowed);
        Assert.Equal(0, decisions[5].Remaining);
        Assert.Equal(TimeSpan.FromSeconds(6), decisions[5].RetryAfter);
        Assert.Equal(10, decisions[5].Limit);
    }

    [Fact]
    public void TryAcquire_AfterRefillTime_AllowedAgain()
    {
        var state = new TokenBucketState();
        for (var i = 0; i < 5; i++)
        {
            state.TryAcquire(Free, Start);
        }

        Assert.False(state.TryAcquire(Free, Start.AddSeconds(5.9)).Allowed);
        Assert.True(state.TryAcquire(Free, Start.AddSeconds(6)).Allowed);
        Assert.False(state.TryAcquire(Free, Start.AddSeconds(6)).Allowed);
    }

    [Fact]
    public void TryAcquire_HourlyBudgetSpent_RefusedEvenWithBurstLeft()
    {
        var policy = new RateLimitPolicy(PerMinute: 6000, PerHour: 12, Burst: 50);
        var state = new TokenBucketState();

        var allowed = Enumerable.Range(0, 20).Count(_ => state.TryAcquire(policy, Start).Allowed);
        var refused = state.TryAcquire(policy, Start.AddSeconds(1));

        Assert.Equal(12, allowed);
        Assert.False(refused.Allowed);
        // One hourly token comes back every 300 s; one second of it has passed.
        Assert.Equal(299, refused.RetryAfter.TotalSeconds, precision: 6);
    }

    [Fact]
    public void TryAcquire_Reset_IsWhenBothBucketsAreFullAgain()
    {
        var state = new TokenBucketState();

        var decision = state.TryAcquire(Free, Start);

        // One hourly token takes 36 s to come back, longer than one burst token (6 s).
        Assert.Equal(Start.AddSeconds(36), decision.Reset);
    }

    [Fact]
    public void TryAcquire_Unlimited_AlwaysAllowedWithoutNumbers()
    {
        var state = new TokenBucketState();

        var decisions = Enumerable.Range(0, 1000).Select(_ => state.TryAcquire(null, Start)).ToList();

        Assert.All(decisions, d => Assert.True(d.Allowed && d.Limit is null && d.Remaining is null));
    }

    [Fact]
    public void TryAcquire_SmallerPolicyLater_CapsLeftoverTokens()
    {
        var state = new TokenBucketState();
        state.TryAcquire(new RateLimitPolicy(1000, 10000, 100), Start);

        var decision = state.TryAcquire(Free, Start);

        Assert.True(decision.Allowed);
        Assert.Equal(4, decision.Remaining);
    }

    [Fact]
    public void IsIdle_FullAgain_TrueOnlyAfterRefill()
    {
        var state = new TokenBucketState();
        state.TryAcquire(Free, Start);

        Assert.False(state.IsIdle(Free, Start.AddSeconds(35)));
        Assert.True(state.IsIdle(Free, Start.AddSeconds(36)));
    }
}
