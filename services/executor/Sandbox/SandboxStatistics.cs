namespace WasmWizard.Executor.Sandbox;

/// <summary>Counters of compile-cache behaviour, so tests and metrics can see that compiled modules are reused.</summary>
public sealed class SandboxStatistics
{
    private long _compilations;
    private long _diskLoads;
    private long _memoryHits;
    private long _misses;
    private long _evictions;

    /// <summary>Modules compiled from their bytes.</summary>
    public long Compilations => Interlocked.Read(ref _compilations);

    /// <summary>Modules loaded from an artifact this executor wrote earlier.</summary>
    public long DiskLoads => Interlocked.Read(ref _diskLoads);

    /// <summary>Runs or uploads served by a module already compiled in memory.</summary>
    public long MemoryHits => Interlocked.Read(ref _memoryHits);

    /// <summary>Lookups that found no compiled module in memory.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Compiled modules dropped from memory because the cache was full (not ones deleted on purpose).</summary>
    public long Evictions => Interlocked.Read(ref _evictions);

    internal void Compiled() => Interlocked.Increment(ref _compilations);

    internal void LoadedFromDisk() => Interlocked.Increment(ref _diskLoads);

    internal void HitMemory() => Interlocked.Increment(ref _memoryHits);

    internal void Missed() => Interlocked.Increment(ref _misses);

    internal void Evicted() => Interlocked.Increment(ref _evictions);
}
