using System.Diagnostics;
using System.Text.Json.Serialization;

namespace WasmWizard.LoadGenerator;

/// <summary>
/// What this process spent between two points of a run's clock: CPU (all its threads), garbage-collection pauses,
/// and, sampled every 10 ms, the most thread-pool threads and the longest queue of work waiting for one. With the
/// embedded host (ratio, overload) that is the host and its clients together, since they share the process; against
/// a URL, or in memory mode, the clients alone.
/// </summary>
public static class ProcessMeter
{
    private static readonly TimeSpan SampleEvery = TimeSpan.FromMilliseconds(10);

    /// <summary>Waits for <paramref name="from"/> on <paramref name="clock"/>, then measures until <paramref name="to"/>.</summary>
    public static async Task<ProcessWindow> MeasureAsync(Stopwatch clock, TimeSpan from, TimeSpan to)
    {
        ArgumentNullException.ThrowIfNull(clock);
        await DelayUntilAsync(clock, from).ConfigureAwait(false);
        var cpu = Environment.CpuUsage.TotalTime;
        var paused = GC.GetTotalPauseDuration();
        var collections = GC.CollectionCount(0);
        var threads = ThreadPool.ThreadCount;
        var queue = ThreadPool.PendingWorkItemCount;
        while (clock.Elapsed < to)
        {
            var left = to - clock.Elapsed;
            await Task.Delay(left < SampleEvery ? left : SampleEvery).ConfigureAwait(false);
            threads = Math.Max(threads, ThreadPool.ThreadCount);
            queue = Math.Max(queue, ThreadPool.PendingWorkItemCount);
        }

        return new ProcessWindow(
            Environment.CpuUsage.TotalTime - cpu,
            GC.GetTotalPauseDuration() - paused,
            GC.CollectionCount(0) - collections,
            threads,
            queue);
    }

    /// <summary>The share of all the machine's cores that <paramref name="cpu"/> over <paramref name="window"/> is.</summary>
    public static double Busy(TimeSpan cpu, TimeSpan window) =>
        window > TimeSpan.Zero ? Math.Round(cpu / window / Environment.ProcessorCount, 3) : 0;

    /// <summary>Microseconds of <paramref name="cpu"/> per one of <paramref name="count"/>, null for none.</summary>
    public static double? MicrosecondsEach(TimeSpan cpu, int count) =>
        count > 0 ? Math.Round(cpu.TotalMicroseconds / count, 1) : null;

    private static async Task DelayUntilAsync(Stopwatch clock, TimeSpan at)
    {
        var left = at - clock.Elapsed;
        if (left > TimeSpan.Zero)
        {
            await Task.Delay(left).ConfigureAwait(false);
        }
    }
}

/// <summary>What <see cref="ProcessMeter.MeasureAsync"/> found over one window.</summary>
public sealed record ProcessWindow(
    [property: JsonIgnore] TimeSpan Cpu,
    [property: JsonIgnore] TimeSpan GcPause,
    [property: JsonPropertyName("gc_collections")] int Collections,
    [property: JsonPropertyName("thread_pool_threads_max")] int ThreadPoolThreadsMax,
    [property: JsonPropertyName("thread_pool_queue_max")] long ThreadPoolQueueMax)
{
    [JsonPropertyName("gc_pause_ms")]
    public double GcPauseMilliseconds => Math.Round(GcPause.TotalMilliseconds, 1);
}
