namespace WasmWizard.Executor.Sandbox.Instrumentation;

/// <summary>
/// The byte range of one instruction the rewrite changes, and how. Wasmtime checks the epoch deadline only where a
/// WebAssembly function is entered and where a loop turns, so thousands of host calls in a row (each filling a
/// buffer, say) ran for seconds past the deadline, and one <c>memory.fill</c> over a 1 GiB memory for more than a
/// second.
/// </summary>
internal readonly record struct InstrumentationSite(int Start, int End, SiteKind Kind);

/// <summary>What the rewrite does at an <see cref="InstrumentationSite"/>.</summary>
internal enum SiteKind
{
    /// <summary>A call to an empty function, whose entry is a deadline check, goes in front of the instruction:
    /// a call into the host (WASI), an indirect call (which may reach one), or a table's bulk instruction.</summary>
    Checkpoint,

    /// <summary><c>memory.grow</c> becomes a call to the helper that records a refused growth.</summary>
    MemoryGrow,

    /// <summary><c>memory.fill</c> becomes a call to a helper that fills a MiB per turn of a loop.</summary>
    MemoryFill,

    /// <summary><c>memory.copy</c> becomes a call to a helper that copies a MiB per turn of a loop.</summary>
    MemoryCopy,
}
