namespace WasmWizard.DaprDouble;

/// <summary>A thread-safe turn counter: which of <c>n</c> candidates goes next.</summary>
internal sealed class RoundRobin
{
    private long _next = -1;

    /// <summary>An index in <c>[0, count)</c>, one further than last time.</summary>
    public int Next(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        return (int)((ulong)Interlocked.Increment(ref _next) % (ulong)count);
    }
}
