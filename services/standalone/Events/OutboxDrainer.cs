namespace WasmWizard.Standalone.Events;

/// <summary>
/// Delivers what waits in the outbox: events whose handler failed when they were published (retried with a growing
/// pause, up to a minute, and never dropped) and events a crash left behind. While anything fails, publishers leave
/// their events to it instead of trying inline.
/// </summary>
public sealed class OutboxDrainer(
    SqliteEventOutbox outbox, OutboxDispatcher dispatcher, TimeProvider time, ILogger<OutboxDrainer> logger)
    : BackgroundService
{
    private const int BatchSize = 100;
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(1);

    private readonly SemaphoreSlim _wake = new(0, 1);
    private volatile bool _healthy = true;
    private bool _restarted = true;

    /// <summary>Whether nothing waits, so publishers may deliver inline.</summary>
    public bool IsHealthy => _healthy;

    /// <summary>Asks for a pass over the outbox soon.</summary>
    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // A pass is already due.
        }
    }

    /// <summary>A publisher's inline delivery failed: the entry waits for the drainer, which retries it.</summary>
    public void ReportFailure(OutboxEntry entry, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(entry);
        _healthy = false;
        Log.OutboxDeliveryFailed(logger, exception, entry.Topic, entry.Seq, entry.Attempts + 1);
        Wake();
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await DrainAsync(stoppingToken).ConfigureAwait(false);
                await _wake.WaitAsync(PollInterval, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException)
            {
                // The outbox itself cannot be read (a full or locked disk): try again on the next tick.
                Log.OutboxDeliveryFailed(logger, e, "(outbox)", 0, 0);
                await Task.Delay(PollInterval, time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        // After a restart everything left behind is tried at once: the pause was for the process that failed.
        var evenIfPostponed = _restarted;
        _restarted = false;
        long after = 0;
        while (true)
        {
            // Strictly in order: an event whose retry is not due yet holds back every newer one, so the handlers (the
            // audit trail's hash chain) see events in the order they happened. Entries their publishers are still
            // delivering are passed by: they are in flight, not behind.
            var oldest = await outbox.OldestAsync(BatchSize, after, cancellationToken).ConfigureAwait(false);
            foreach (var entry in oldest)
            {
                after = entry.Seq;
                if (outbox.IsClaimed(entry.Seq))
                {
                    continue;
                }

                if (!evenIfPostponed && entry.NextAttemptAt > time.GetUtcNow())
                {
                    return;
                }

                try
                {
                    await dispatcher.DispatchAsync(entry, cancellationToken).ConfigureAwait(false);
                    await outbox.RemoveAsync(entry.Seq, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    _healthy = false;
                    Log.OutboxDeliveryFailed(logger, e, entry.Topic, entry.Seq, entry.Attempts + 1);
                    await outbox.PostponeAsync(entry.Seq, RetryDelay(entry.Attempts), cancellationToken).ConfigureAwait(false);
                    return;
                }
            }

            if (oldest.Count < BatchSize)
            {
                break;
            }
        }

        // Healthy again only once nothing waits: entries still postponed mean the handler may still be failing.
        if (!_healthy && await outbox.CountAsync(cancellationToken).ConfigureAwait(false) == 0)
        {
            _healthy = true;
            Log.OutboxRecovered(logger);
        }
    }

    // 0.5 s, 1 s, 2 s, ... up to a minute: a store that is down for long is asked once a minute, not flooded.
    private static TimeSpan RetryDelay(int attempts) =>
        TimeSpan.FromSeconds(Math.Min(MaxRetryDelay.TotalSeconds, 0.5 * Math.Pow(2, Math.Min(attempts, 10))));
}
