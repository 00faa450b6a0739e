using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Audit;

/// <summary>
/// Removes audit events older than <see cref="AuditOptions.RetentionDays"/>: at startup and then every hour, in
/// batches, so a long backlog never holds the store for long. The store keeps the hash of each chain's last removed
/// event, so what remains still verifies. Does nothing when no retention is configured.
/// </summary>
public sealed class AuditRetention(
    IAuditEventStore store, IOptions<AuditOptions> options, TimeProvider time, ILogger<AuditRetention> logger)
    : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    /// <summary>One pass: removes every event past the retention age. Returns how many went.</summary>
    public async Task<int> RemoveExpiredAsync(CancellationToken cancellationToken)
    {
        if (options.Value.RetentionDays is not { } days)
        {
            return 0;
        }

        var cutoff = time.GetUtcNow().AddDays(-days);
        var batch = options.Value.RetentionBatchSize;
        var removed = 0;
        int last;
        do
        {
            last = await store.RemoveOlderThanAsync(cutoff, batch, cancellationToken).ConfigureAwait(false);
            removed += last;
        }
        while (last == batch);

        if (removed > 0)
        {
            Log.RetentionRemoved(logger, removed, days);
        }

        return removed;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.RetentionDays is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await RemoveExpiredAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A store that is down now is tried again at the next tick; retention is never urgent.
                Log.RetentionFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
