using System.Diagnostics;

namespace WasmWizard.LoadGenerator;

/// <summary>
/// N clients, each sending its next request as soon as the last one answered, for a warm-up and then a measured
/// window. Only requests that start and finish inside the window count, so throughput is count / window.
/// </summary>
public static class ClosedLoop
{
    /// <summary>
    /// Runs <paramref name="send"/> in a closed loop; it returns the outcome of one request (a status code,
    /// "busy", an outcome name). An exception counts as an error under its type name. A client that was refused
    /// or got no answer waits <paramref name="refusedBackoff"/> before its next request, outside the measured
    /// latency, so such clients do not spin and take the CPU from the runs being measured.
    /// </summary>
    public static Task<LoadReport> RunAsync(
        int concurrency, TimeSpan warmup, TimeSpan duration, TimeSpan refusedBackoff, Func<Task<Outcome>> send)
    {
        ArgumentNullException.ThrowIfNull(send);
        return RunAsync(concurrency, warmup, duration, refusedBackoff, _ => send());
    }

    /// <summary>The same, with <paramref name="send"/> told which client (0 to N − 1) sends.</summary>
    public static async Task<LoadReport> RunAsync(
        int concurrency, TimeSpan warmup, TimeSpan duration, TimeSpan refusedBackoff, Func<int, Task<Outcome>> send)
    {
        ArgumentNullException.ThrowIfNull(send);
        var clock = Stopwatch.StartNew();
        var measureFrom = warmup;
        var measureTo = warmup + duration;
        var clients = Enumerable.Range(0, concurrency)
            .Select(client => Task.Run(
                () => ClientAsync(clock, measureFrom, measureTo, refusedBackoff, () => send(client))))
            .ToArray();
        var cpu = ProcessMeter.MeasureAsync(clock, measureFrom, measureTo);
        var samples = await Task.WhenAll(clients).ConfigureAwait(false);
        return LoadReport.From(samples.SelectMany(s => s).ToList(), duration, concurrency, await cpu.ConfigureAwait(false));
    }

    private static async Task<List<Sample>> ClientAsync(
        Stopwatch clock, TimeSpan measureFrom, TimeSpan measureTo, TimeSpan refusedBackoff, Func<Task<Outcome>> send)
    {
        var samples = new List<Sample>();
        while (clock.Elapsed < measureTo)
        {
            var started = clock.Elapsed;
            Outcome outcome;
            bool error;
            try
            {
                outcome = await send().ConfigureAwait(false);
                error = false;
            }
            catch (Exception e)
            {
                // A timeout surfaces as a cancelled task: name it for what it is.
                outcome = new Outcome(e is TaskCanceledException ? "Timeout" : e.GetType().Name, Ok: false, Refused: false);
                error = true;
            }

            var ended = clock.Elapsed;
            if (started >= measureFrom && ended <= measureTo)
            {
                samples.Add(new Sample((ended - started).TotalMilliseconds, outcome, error));
            }

            if ((outcome.Refused || error) && refusedBackoff > TimeSpan.Zero)
            {
                await Task.Delay(refusedBackoff).ConfigureAwait(false);
            }
        }

        return samples;
    }
}
