namespace WasmWizard.Shared.Contracts;

/// <summary>How a run ended. Every run ends in exactly one of these.</summary>
public static class ExecutionOutcome
{
    /// <summary><c>_start</c> returned or the guest called <c>proc_exit</c>; the exit code says which way it went.</summary>
    public const string Exited = "exited";

    /// <summary>A WebAssembly trap ended the run (unreachable, out-of-bounds access, stack overflow, ...).</summary>
    public const string Trapped = "trapped";

    /// <summary>The wall-time deadline ended the run.</summary>
    public const string Timeout = "timeout";

    /// <summary>The run failed after the guest's linear memory hit the memory cap.</summary>
    public const string MemoryLimit = "memory_limit";

    /// <summary>The run used up its fuel budget.</summary>
    public const string FuelExhausted = "fuel_exhausted";

    /// <summary>The module could not be started at all.</summary>
    public const string Rejected = "rejected";

    /// <summary>
    /// An asynchronous execution was running when its process stopped. It is not run again (it may have had effects),
    /// so it ends here, without output. A synchronous run ends so, in the trail and history only, when its caller
    /// went away and the run was stopped with it.
    /// </summary>
    public const string Interrupted = "interrupted";

    /// <summary>Every outcome, in the order above.</summary>
    public static IReadOnlyList<string> All { get; } =
        [Exited, Trapped, Timeout, MemoryLimit, FuelExhausted, Rejected, Interrupted];
}
