namespace WasmWizard.Executor.Sandbox.Instrumentation;

/// <summary>
/// The byte range of one instruction the rewrite changes. A <c>memory.grow</c> is replaced by a call to the growth
/// helper. Any other site gets a call to an empty function in front of it, whose entry is a deadline check: a call
/// into the host (WASI), or an indirect call, which may reach one. Wasmtime checks the epoch deadline only where a
/// WebAssembly function is entered and where a loop turns, so thousands of host calls in a row (each filling a
/// buffer, say) ran for seconds past the deadline. Bulk memory and table instructions, whose work grows with an
/// operand, get the same check, so that the bound does not rest on how the engine carries them out.
/// </summary>
internal readonly record struct InstrumentationSite(int Start, int End, bool IsMemoryGrow);
