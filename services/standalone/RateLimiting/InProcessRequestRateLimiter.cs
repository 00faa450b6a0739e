using System.Collections.Concurrent;
using WasmWizard.Shared.RateLimiting;

namespace WasmWizard.Standalone.RateLimiting;

/// <summary>
/// The embedded host's per-key rate limiter: token buckets in this process's memory. Buckets that are full again
/// are dropped from time to time, since a missing bucket means a full one.
/// </summary>
public sealed class InProcessRequestRateLimiter(TimeProvider time) : IRequestRateLimiter
{
    private const int SweepEvery = 4096;

    private readonly ConcurrentDictionary<string, Entry> _buckets = new(StringComparer.Ordinal);
    private int _calls;

    /// <inheritdoc />
    public ValueTask<RateLimitDecision> AcquireAsync(
        string partition, RateLimitPolicy? policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partition);
        var now = time.GetUtcNow();
        if (policy is null)
        {
            return ValueTask.FromResult(RateLimitDecision.Unlimited(now));
        }

        var entry = _buckets.GetOrAdd(partition, _ => new Entry());
        RateLimitDecision decision;
        lock (entry)
        {
            entry.Policy = policy;
            decision = entry.State.TryAcquire(policy, now);
        }

        if (Interlocked.Increment(ref _calls) % SweepEvery == 0)
        {
            Sweep(now);
        }

        return ValueTask.FromResult(decision);
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (partition, entry) in _buckets)
        {
            lock (entry)
            {
                if (entry.Policy is { } policy && entry.State.IsIdle(policy, now))
                {
                    _buckets.TryRemove(KeyValuePair.Create(partition, entry));
                }
            }
        }
    }

    private sealed class Entry
    {
        public TokenBucketState State { get; } = new();

        public RateLimitPolicy? Policy { get; set; }
    }
}
