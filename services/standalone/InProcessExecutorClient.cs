using WasmWizard.Executor.Sandbox;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Standalone;

/// <summary>The embedded host's way from api to executor: a direct call into the same process.</summary>
internal sealed class InProcessExecutorClient(SandboxService sandbox) : IExecutorClient, IExecutorAdmission
{
    /// <inheritdoc />
    public Task<PreparedModule> PrepareModuleAsync(byte[] module, string? tenant, CancellationToken cancellationToken) =>
        sandbox.PrepareModuleAsync(module, tenant, cancellationToken);

    /// <inheritdoc />
    public Task<RunResult> RunAsync(RunRequest request, CancellationToken cancellationToken) =>
        sandbox.RunAsync(request, cancellationToken);

    /// <inheritdoc />
    public Task ForgetModuleAsync(string sha256, CancellationToken cancellationToken)
    {
        sandbox.ForgetModule(sha256);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public ExecutorBusyException? RefusalFor(string tenant) => sandbox.RefusalFor(tenant);

    /// <inheritdoc />
    public ExecutorBusyException? RefusalForAnyone() => sandbox.RefusalFor(null);
}
