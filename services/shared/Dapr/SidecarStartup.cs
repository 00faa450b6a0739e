using Dapr.Client;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace WasmWizard.Shared.Dapr;

/// <summary>
/// Holds startup until the sidecar's components are loaded, so the first request does not meet a sidecar that is
/// still starting. Gives up after <see cref="DaprSidecarOptions.SidecarWaitSeconds"/>: the host then fails to start
/// with a clear error, and the orchestrator restarts it.
/// </summary>
public sealed class SidecarStartup(DaprClient dapr, IOptions<DaprSidecarOptions> options, ILogger<SidecarStartup> logger)
    : IHostedLifecycleService
{
    /// <inheritdoc />
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var wait = TimeSpan.FromSeconds(options.Value.SidecarWaitSeconds);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait);
        Log.WaitingForSidecar(logger, wait.TotalSeconds);
        try
        {
            // Polls the outbound health endpoint, which needs no app: waiting on the app-facing one would deadlock.
            await dapr.WaitForSidecarAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException(
                $"The Dapr sidecar did not become ready within {wait.TotalSeconds} s. Is it running, and do "
                + "DAPR_HTTP_ENDPOINT / DAPR_GRPC_ENDPOINT (or the _PORT variables) point at it?");
        }

        Log.SidecarReady(logger);
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
