namespace WasmWizard.Executor.Sandbox;

/// <summary>
/// Limits and settings of the sandbox. Every limit here is enforced; the validator checks them at startup.
/// </summary>
/// <remarks>
/// Configuration shape (section <c>Sandbox</c>):
/// <code>
/// "Sandbox": {
///   "MaxModuleBytes": 16777216, "MaxInputBytes": 1048576, "MaxStdoutBytes": 1048576, "MaxStderrBytes": 1048576,
///   "MaxArgs": 64, "MaxArgBytes": 65536, "MaxEnvVars": 64, "MaxEnvBytes": 65536,
///   "MaxTimeoutMs": 60000, "MaxMemoryBytes": 1073741824, "MaxTableElements": 100000, "MaxTables": 8,
///   "MaxInstances": 1, "MaxWasmStackBytes": 524288, "GuestThreadStackBytes": 8388608,
///   "MaxConcurrentRuns": 4, "BusyRetryAfterSeconds": 1, "CompileTimeoutMs": 30000, "CompileMemoryLimitMb": 2048,
///   "MaxConcurrentCompiles": 2,
///   "EpochTickMs": 10, "EnableFuel": true, "UsePoolingAllocator": true, "PoolKeepResidentBytes": 2097152,
///   "CompiledCacheDirectory": "data/compiled", "MemoryCacheEntries": 128, "MemoryCacheBytes": 536870912, "TempDirectory": null
/// }
/// </code>
/// </remarks>
public sealed class SandboxOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Sandbox";

    /// <summary>Largest module accepted, in bytes.</summary>
    public long MaxModuleBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Largest stdin accepted, in bytes.</summary>
    public int MaxInputBytes { get; set; } = 1024 * 1024;

    /// <summary>Stdout kept per run; the excess is dropped and flagged.</summary>
    public int MaxStdoutBytes { get; set; } = 1024 * 1024;

    /// <summary>Stderr kept per run; the excess is dropped and flagged.</summary>
    public int MaxStderrBytes { get; set; } = 1024 * 1024;

    /// <summary>Most arguments after argv[0].</summary>
    public int MaxArgs { get; set; } = 64;

    /// <summary>Most bytes (UTF-8) of all arguments together.</summary>
    public int MaxArgBytes { get; set; } = 64 * 1024;

    /// <summary>Most environment variables.</summary>
    public int MaxEnvVars { get; set; } = 64;

    /// <summary>Most bytes (UTF-8) of all environment names and values together.</summary>
    public int MaxEnvBytes { get; set; } = 64 * 1024;

    /// <summary>The longest deadline any run may ask for, whatever its tier.</summary>
    public int MaxTimeoutMs { get; set; } = 60_000;

    /// <summary>The largest linear memory any run may ask for, whatever its tier.</summary>
    public long MaxMemoryBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>Most elements a table may grow to.</summary>
    public int MaxTableElements { get; set; } = 100_000;

    /// <summary>Most tables a run may create.</summary>
    public int MaxTables { get; set; } = 8;

    /// <summary>Most instances a run may create (the module itself is one).</summary>
    public int MaxInstances { get; set; } = 1;

    /// <summary>The WebAssembly stack a guest may use before it traps with a stack overflow.</summary>
    public int MaxWasmStackBytes { get; set; } = 512 * 1024;

    /// <summary>The native stack of each guest thread; must leave room above the wasm stack for host calls.</summary>
    public int GuestThreadStackBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>How many guests may run at once; each gets its own dedicated thread.</summary>
    public int MaxConcurrentRuns { get; set; } = Math.Max(2, Environment.ProcessorCount * 2);

    /// <summary>The Retry-After a caller gets when every slot is busy.</summary>
    public int BusyRetryAfterSeconds { get; set; } = 1;

    /// <summary>Time budget for compiling one module.</summary>
    public int CompileTimeoutMs { get; set; } = 30_000;

    /// <summary>Memory ceiling of one compile; the compiler process is stopped when it needs more.</summary>
    public int CompileMemoryLimitMb { get; set; } = 2048;

    /// <summary>How many modules may compile at once.</summary>
    public int MaxConcurrentCompiles { get; set; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Interval of the epoch ticker that checks deadlines; a run ends at most about one tick late.</summary>
    public int EpochTickMs { get; set; } = 10;

    /// <summary>Whether fuel is metered, which lets a run ask for a fuel budget (and reports fuel used).</summary>
    public bool EnableFuel { get; set; } = true;

    /// <summary>Whether instances come from Wasmtime's pooling allocator (faster instantiation).</summary>
    public bool UsePoolingAllocator { get; set; } = true;

    /// <summary>
    /// Bytes of each pooled memory and table kept mapped (and zeroed in place) when a run ends, instead of handed back
    /// to the kernel. Handing pages back makes the kernel flush every core's TLB, which on the build machine cost a
    /// cached hello world run about a fifth of its time; a module that stays under this size reuses its pages warm.
    /// Costs up to this much resident memory per idle slot. 0 hands everything back.
    /// </summary>
    public long PoolKeepResidentBytes { get; set; } = 2L * 1024 * 1024;

    /// <summary>Where compiled artifacts produced by this executor are kept.</summary>
    public string CompiledCacheDirectory { get; set; } = Path.Combine("data", "compiled");

    /// <summary>How many compiled modules are kept in memory.</summary>
    public int MemoryCacheEntries { get; set; } = 128;

    /// <summary>How many bytes of compiled modules (artifact size) are kept in memory.</summary>
    public long MemoryCacheBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>Where per-run stdin files are written; null means a private folder under the system temp folder.</summary>
    public string? TempDirectory { get; set; }
}
