namespace WasmWizard.Executor.Sandbox;

/// <summary>Counters of compile-cache behaviour, so tests and metrics can see that compiled modules are reused.</summary>
public sealed class SandboxStatistics
{
    private long _compilations;
    private long _diskLoads;
    private long _memoryHits;

    /// <summary>Modules compiled from their bytes.</summary>
    public long Compilations => Interlocked.Read(ref _compilations);

    /// <summary>Modules loaded from an artifact this executor wrote earlier.</summary>
    public long DiskLoads => Interlocked.Read(ref _diskLoads);

    /// <summary>Runs or uploads served by a module already compiled in memory.</summary>
    public long MemoryHits => Interlocked.Read(ref _memoryHits);

    internal void Compiled() => Interlocked.Increment(ref _compilations);

    internal void LoadedFromDisk() => Interlocked.Increment(ref _diskLoads);

    internal void HitMemory() => Interlocked.Increment(ref _memoryHits);
}
