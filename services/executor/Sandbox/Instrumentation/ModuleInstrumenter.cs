using Wasmtime;

namespace WasmWizard.Executor.Sandbox.Instrumentation;

/// <summary>
/// Rewrites a WASI command module so that a refused <c>memory.grow</c> (one that returned -1, e.g. because the
/// store limiter hit our memory cap) leaves a trace: every <c>memory.grow</c> is routed through an appended helper
/// function that, on failure, stores the memory size the guest asked for (in pages) in an exported i64 global.
/// Wasmtime offers no callback for refused growth, so this is how a run is classified as <c>memory_limit</c>; the
/// size tells our cap apart from the module's own declared maximum and from requests no 32-bit memory can meet.
/// The same pass puts a deadline check in front of every call into the host and every bulk memory or table
/// instruction (see <see cref="InstrumentationSite"/>), so that straight-line code cannot outrun the deadline.
/// </summary>
/// <remarks>
/// New type, function and global are appended at the end of their index spaces, so no existing index moves and
/// element segments, start function, names and every other section stay byte-for-byte intact. The caller is
/// expected to have validated the original module with the same engine configuration first.
/// </remarks>
internal static class ModuleInstrumenter
{
    /// <summary>
    /// Exported mutable i64 global: 0 until a <c>memory.grow</c> returns -1, then the size in pages that the last
    /// refused growth asked for.
    /// </summary>
    public const string FlagExportName = "__wasmwizard_grow_failed";

    private const int MaxModuleLength = 1 << 30;

    internal static ReadOnlySpan<byte> FlagExportNameUtf8 => "__wasmwizard_grow_failed"u8;

    /// <summary>
    /// Returns the instrumented module, or <c>null</c> when the module contains no <c>memory.grow</c>, no call to
    /// an imported function, no indirect call and no bulk memory or table instruction, and so has nothing to change.
    /// </summary>
    /// <exception cref="WasmInstrumentationException">
    /// The module is malformed or truncated, uses a feature outside the enabled set, or already exports
    /// <see cref="FlagExportName"/>.
    /// </exception>
    public static byte[]? Instrument(ReadOnlySpan<byte> module)
    {
        // The result must fit in one array next to the input; real modules are orders of magnitude smaller.
        if (module.Length > MaxModuleLength)
        {
            throw new WasmInstrumentationException($"module of {module.Length} bytes is too large to instrument");
        }

        var rewriter = new ModuleRewriter(module);
        return rewriter.Rewrite();
    }

    /// <summary>
    /// After a run (also after a trap, since globals outlive it), the size in pages that the last refused
    /// <c>memory.grow</c> asked for, or 0 when none was refused or the module was left alone (nothing to rewrite).
    /// </summary>
    public static long ReadRefusedGrowthPages(Instance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return instance.GetGlobal(FlagExportName)?.GetValue() is long pages ? pages : 0;
    }
}
