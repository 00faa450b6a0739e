using System.Diagnostics;

namespace WasmWizard.LoadGenerator;

/// <summary>
/// Requests at a fixed arrival rate: request i is due at i / rate and leaves then, whether or not earlier ones have
/// been answered, so a slow server meets more load instead of less (a closed loop would back off with it). The
/// requests in flight are capped; one due while the cap is reached is not sent and counts as an <c>Overflow</c>.
/// </summary>
public static class OpenLoop
{
    public static async Task<IReadOnlyList<OpenSample>> RunAsync(
        double ratePerSecond, TimeSpan length, int maxOutstanding, Func<Task<Answer>> send)
    {
        ArgumentNullException.ThrowIfNull(send);
        var total = (long)Math.Floor(ratePerSecond * length.TotalSeconds);
        var samples = new OpenSample[total];
        var inFlight = new List<Task>();
        var outstanding = 0;
        var clock = Stopwatch.StartNew();
        long next = 0;
        while (next < total)
        {
            // Everything due by now leaves now: a late wake-up sends a batch, so the mean rate holds even when
            // the timer is coarser than the interval between requests; each request's lag is recorded.
            var due = Math.Min(total, (long)Math.Floor(clock.Elapsed.TotalSeconds * ratePerSecond) + 1);
            for (; next < due; next++)
            {
                var index = next;
                var dueMs = index * 1000.0 / ratePerSecond;
                if (Volatile.Read(ref outstanding) >= maxOutstanding)
                {
                    samples[index] = new OpenSample(dueMs, clock.Elapsed.TotalMilliseconds, 0, default, "Overflow");
                    continue;
                }

                Interlocked.Increment(ref outstanding);
                inFlight.Add(Task.Run(async () =>
                {
                    samples[index] = await MeasureAsync(clock, dueMs, send).ConfigureAwait(false);
                    Interlocked.Decrement(ref outstanding);
                }));
            }

            await Task.Delay(1).ConfigureAwait(false);
        }

        await Task.WhenAll(inFlight).ConfigureAwait(false);
        return samples;
    }

    private static async Task<OpenSample> MeasureAsync(Stopwatch clock, double dueMs, Func<Task<Answer>> send)
    {
        var started = clock.Elapsed.TotalMilliseconds;
        try
        {
            var answer = await send().ConfigureAwait(false);
            return new OpenSample(dueMs, started, clock.Elapsed.TotalMilliseconds - started, answer, null);
        }
        catch (Exception e)
        {
            // HttpClient's own timeout surfaces as a cancelled task: name it for what it is.
            var error = e is TaskCanceledException ? "Timeout" : e.GetType().Name;
            return new OpenSample(dueMs, started, clock.Elapsed.TotalMilliseconds - started, default, error);
        }
    }
}
