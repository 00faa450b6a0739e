using WasmWizard.Shared.Contracts;

namespace WasmWizard.Shared.Ports;

/// <summary>How the api reaches the executor: a direct call when embedded, service invocation when distributed.</summary>
public interface IExecutorClient
{
    /// <summary>
    /// Validates and compiles a module so later runs reuse it; <paramref name="tenant"/> (null for none) is whose
    /// upload it is, since one tenant may not hold every compile slot. Throws <see cref="ModuleRejectedException"/>
    /// when the module is refused and <see cref="ExecutorBusyException"/> when no compile slot is to be had.
    /// </summary>
    Task<PreparedModule> PrepareModuleAsync(byte[] module, string? tenant, CancellationToken cancellationToken);

    /// <summary>
    /// Runs a module once. Throws <see cref="ExecutorBusyException"/> when every slot is busy,
    /// <see cref="ModuleRejectedException"/> for an ad-hoc module that is refused and
    /// <see cref="RunRequestRejectedException"/> for a request beyond the executor's limits.
    /// </summary>
    Task<RunResult> RunAsync(RunRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Drops everything the executor keeps for a module whose bytes are no longer stored: the compiled module in
    /// memory and its artifact on disk (which holds the module's data).
    /// </summary>
    Task ForgetModuleAsync(string sha256, CancellationToken cancellationToken);
}
