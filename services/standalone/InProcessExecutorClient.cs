using Microsoft.Extensions.Options;
using WasmWizard.Executor.Sandbox;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Standalone;

/// <summary>The embedded host's way from api to executor: a direct call into the same process.</summary>
internal sealed class InProcessExecutorClient(
    SandboxService sandbox, GuestThreadPool slots, IOptions<SandboxOptions> options) : IExecutorClient, IExecutorAdmission
{
    private readonly TimeSpan _retryAfter = TimeSpan.FromSeconds(options.Value.BusyRetryAfterSeconds);

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

    /// <inheritdoc />
    /// <remarks>The same two checks, in the same order, as the sandbox makes before it runs anything.</remarks>
    public ExecutorBusyException? RefusalFor(string tenant)
    {
        if (!slots.HasShareLeft(tenant))
        {
            return new ExecutorBusyException(_retryAfter, tenantShareSpent: true);
        }

        return RefusalForAnyone();
    }

    /// <inheritdoc />
    public ExecutorBusyException? RefusalForAnyone() =>
        slots.FreeSlots == 0 ? new ExecutorBusyException(_retryAfter) : null;
}
