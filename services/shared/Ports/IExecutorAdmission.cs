using WasmWizard.Shared.Contracts;

namespace WasmWizard.Shared.Ports;

/// <summary>
/// An executor client that can tell, without running anything, that a run would be refused right now. Only the
/// embedded host's client can: it sees the sandbox's slots in its own process. The api asks before it reads a
/// request body or looks a module up, so under overload a refused request costs little more than its answer.
/// </summary>
public interface IExecutorAdmission
{
    /// <summary>
    /// The refusal a run of <paramref name="tenant"/> would meet now, or null when a slot looks free. A null answer
    /// is no promise: the run itself may still be refused.
    /// </summary>
    ExecutorBusyException? RefusalFor(string tenant);

    /// <summary>
    /// The refusal any run would meet now because no slot at all is free, or null. Needs no caller, so a request
    /// can be refused before it is authenticated.
    /// </summary>
    ExecutorBusyException? RefusalForAnyone();
}
