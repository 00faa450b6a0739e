using Dapr.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace WasmWizard.Shared.Dapr;

/// <summary>
/// Holds startup until the sidecar's components are loaded, so the first request does not meet a sidecar that is
/// still starting. Gives up after <see cref="DaprSidecarOptions.SidecarWaitSeconds"/>: the host then fails to start
/// with a clear error, and the orchestrator restarts it.
/// </summary>
public sealed class SidecarStartup(
    DaprClient dapr, IOptions<DaprSidecarOptions> options, IConfiguration configuration, ILogger<SidecarStartup> logger)
    : IHostedLifecycleService
{
    /// <summary>The setting (an environment variable) with the token every caller of the sidecar's API sends.</summary>
    public const string DaprApiTokenSetting = "DAPR_API_TOKEN";

    /// <inheritdoc />
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        // Without these, whoever reaches the sidecar's port, or the app's port from loopback, passes for Dapr.
        if (string.IsNullOrEmpty(configuration[DaprApiTokenSetting]))
        {
            Log.SidecarTokenMissing(
                logger, DaprApiTokenSetting, "any caller of the sidecar's API can invoke this service's internal routes");
        }

        if (string.IsNullOrEmpty(configuration[SidecarChannel.TokenSetting]))
        {
            Log.SidecarTokenMissing(logger, SidecarChannel.TokenSetting, "sidecar-only routes accept any loopback caller");
        }

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
