using System.Diagnostics;

namespace WasmWizard.Tests.Shared;

/// <summary>Waits for a state the test cannot be told about directly (a slot taken, a run started).</summary>
internal static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test after 10 s.</summary>
    public static async Task HoldsAsync(Func<bool> condition)
    {
        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 10);
        while (!condition())
        {
            Assert.True(Stopwatch.GetTimestamp() < deadline, "condition not reached within 10 s");
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>
    /// Polls <paramref name="condition"/> (an asynchronous check, such as an HTTP call) every
    /// <paramref name="interval"/> until it holds; fails the test after <paramref name="within"/>.
    /// </summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan within, TimeSpan interval)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(Stopwatch.Frequency * within.TotalSeconds);
        while (!await condition())
        {
            Assert.True(Stopwatch.GetTimestamp() < deadline, $"condition not reached within {within.TotalSeconds} s");
            await Task.Delay(interval, TestContext.Current.CancellationToken);
        }
    }
}
