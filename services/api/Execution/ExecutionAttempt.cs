using WasmWizard.Api.Model;
using WasmWizard.Shared.Contracts;

namespace WasmWizard.Api.Execution;

/// <summary>
/// What asking the executor for a run gave: the run's answer, or its refusal (no slot free). A refusal is load
/// shedding, not a failure, so it travels as a value: thrown, it would unwind through every await up to the
/// exception handler, which under overload is most of what a refused request costs.
/// </summary>
public sealed record ExecutionAttempt(ExecutionResponse? Response, ExecutorBusyException? Refusal)
{
    /// <summary>A run that happened.</summary>
    public static ExecutionAttempt Ran(ExecutionResponse response) => new(response, null);

    /// <summary>A run the executor would not take.</summary>
    public static ExecutionAttempt Refused(ExecutorBusyException refusal) => new(null, refusal);
}
