using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Api.Auth;

/// <summary>Writes the keys' last-use times to the store every so often, and once more at shutdown.</summary>
public sealed class KeyUsageFlusher(
    KeyUsageTracker tracker,
    IIdentityStore identities,
    IOptionsMonitor<ApiOptions> options,
    TimeProvider time,
    ILogger<KeyUsageFlusher> logger) : BackgroundService
{
    /// <summary>Writes what is pending now.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var batch = tracker.Drain();
        try
        {
            await identities.RecordKeyUsageAsync(batch, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Put it back for the next round; a lost timestamp is not worth failing anything for.
            foreach (var (keyId, at) in batch)
            {
                tracker.Record(keyId, at);
            }

            Log.KeyUsageNotSaved(logger, e);
        }
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(cancellationToken);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(options.CurrentValue.KeyUsageFlushSeconds), time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await FlushAsync(stoppingToken);
        }
    }
}
