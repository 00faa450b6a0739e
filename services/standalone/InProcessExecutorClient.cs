using WasmWizard.Executor.Sandbox;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Standalone;

/// <summary>The embedded host's way from api to executor: a direct call into the same process.</summary>
public sealed class InProcessExecutorClient(SandboxService sandbox) : IExecutorClient
{
    /// <inheritdoc />
    public Task<PreparedModule> PrepareModuleAsync(byte[] module, CancellationToken cancellationToken) =>
        sandbox.PrepareModuleAsync(module, cancellationToken);

    /// <inheritdoc />
    public Task<RunResult> RunAsync(RunRequest request, CancellationToken cancellationToken) =>
        sandbox.RunAsync(request, cancellationToken);

    /// <inheritdoc />
    public Task ForgetModuleAsync(string sha256, CancellationToken cancellationToken)
    {
        sandbox.ForgetModule(sha256);
        return Task.CompletedTask;
    }
}
