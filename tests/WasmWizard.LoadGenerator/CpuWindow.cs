using System.Diagnostics;

namespace WasmWizard.LoadGenerator;

/// <summary>
/// The CPU this process spent, all its threads, between two points of a run's clock: what a phase cost, next to
/// what it achieved. With the embedded host (ratio, overload) that is the host and its clients together, since they
/// share the process; against a URL, or in memory mode, the clients alone.
/// </summary>
public static class CpuWindow
{
    /// <summary>Waits for <paramref name="from"/> on <paramref name="clock"/>, then until <paramref name="to"/>.</summary>
    public static async Task<TimeSpan> MeasureAsync(Stopwatch clock, TimeSpan from, TimeSpan to)
    {
        ArgumentNullException.ThrowIfNull(clock);
        await DelayUntilAsync(clock, from).ConfigureAwait(false);
        var start = Environment.CpuUsage.TotalTime;
        await DelayUntilAsync(clock, to).ConfigureAwait(false);
        return Environment.CpuUsage.TotalTime - start;
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
