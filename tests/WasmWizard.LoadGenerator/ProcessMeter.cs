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
    /// <summary>What the CPU figures cover when the host runs in this process (<c>cpu_of</c> in a report).</summary>
    public const string HostAndClients = "host and clients, one process";

    /// <summary>What they cover when the host runs elsewhere.</summary>
    public const string ClientsOnly = "clients only";

    private static readonly TimeSpan SampleEvery = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Waits for <paramref name="from"/> on <paramref name="clock"/>, then measures until <paramref name="to"/>. It runs
    /// on a thread of its own, so that a starved thread pool neither shifts the window nor hides from the samples.
    /// </summary>
    public static Task<ProcessWindow> MeasureAsync(Stopwatch clock, TimeSpan from, TimeSpan to)
    {
        ArgumentNullException.ThrowIfNull(clock);
        return Task.Factory.StartNew(
            () => Measure(clock, from, to), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private static ProcessWindow Measure(Stopwatch clock, TimeSpan from, TimeSpan to)
    {
        SleepUntil(clock, from);
        var started = clock.Elapsed;
        var cpu = Environment.CpuUsage.TotalTime;
        var paused = GC.GetTotalPauseDuration();
        var collections = GC.CollectionCount(0);
        var threads = ThreadPool.ThreadCount;
        var queue = ThreadPool.PendingWorkItemCount;
        while (clock.Elapsed < to)
        {
            var left = to - clock.Elapsed;
            Thread.Sleep(left < SampleEvery ? left : SampleEvery);
            threads = Math.Max(threads, ThreadPool.ThreadCount);
            queue = Math.Max(queue, ThreadPool.PendingWorkItemCount);
        }

        // The span really measured, which a late wake-up makes a little longer than asked.
        var span = clock.Elapsed - started;
        return new ProcessWindow(
            span,
            Environment.CpuUsage.TotalTime - cpu,
            GC.GetTotalPauseDuration() - paused,
            GC.CollectionCount(0) - collections,
            threads,
            queue);
    }

    private static void SleepUntil(Stopwatch clock, TimeSpan at)
    {
        var left = at - clock.Elapsed;
        if (left > TimeSpan.Zero)
        {
            Thread.Sleep(left);
        }

        // Sleep may wake a fraction of a millisecond early: never start the window before it opens.
        while (clock.Elapsed < at)
        {
            Thread.Yield();
        }
    }
}

/// <summary>What <see cref="ProcessMeter.MeasureAsync"/> found over one window.</summary>
public sealed record ProcessWindow(
    [property: JsonIgnore] TimeSpan Span,
    [property: JsonIgnore] TimeSpan Cpu,
    [property: JsonIgnore] TimeSpan GcPause,
    [property: JsonPropertyName("gc_collections")] int Collections,
    [property: JsonPropertyName("thread_pool_threads_max")] int ThreadPoolThreadsMax,
    [property: JsonPropertyName("thread_pool_queue_max")] long ThreadPoolQueueMax)
{
    [JsonPropertyName("gc_pause_ms")]
    public double GcPauseMilliseconds => Math.Round(GcPause.TotalMilliseconds, 1);

    /// <summary>The CPU in seconds (a report shows it beside what the window achieved).</summary>
    [JsonIgnore]
    public double CpuSeconds => Math.Round(Cpu.TotalSeconds, 3);

    /// <summary>The share of all the machine's cores the CPU is, over the span the window really covered.</summary>
    [JsonIgnore]
    public double Busy => Span > TimeSpan.Zero ? Math.Round(Cpu / Span / Environment.ProcessorCount, 3) : 0;

    /// <summary>Microseconds of CPU per one of <paramref name="count"/> (requests, answers), null for none.</summary>
    public double? MicrosecondsEach(int count) => count > 0 ? Math.Round(Cpu.TotalMicroseconds / count, 1) : null;
}
