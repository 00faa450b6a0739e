using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Api.Execution;

/// <summary>
/// Removes asynchronous executions that finished more than <see cref="ApiOptions.ExecutionResultRetentionHours"/>
/// ago (their output and their idempotency keys with them): at startup, then every 10 minutes, in batches so the
/// store is never held for long.
/// </summary>
public sealed class ExecutionJobRetention(
    IExecutionJobStore jobs, IOptionsMonitor<ApiOptions> options, TimeProvider time, ILogger<ExecutionJobRetention> logger)
    : BackgroundService
{
    private const int BatchSize = 500;
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    /// <summary>One pass: removes every result past the retention time. Returns how many went.</summary>
    public async Task<int> RemoveExpiredAsync(CancellationToken cancellationToken)
    {
        var hours = options.CurrentValue.ExecutionResultRetentionHours;
        var cutoff = time.GetUtcNow().AddHours(-hours);
        var removed = 0;
        int last;
        do
        {
            last = await jobs.RemoveCompletedBeforeAsync(cutoff, BatchSize, cancellationToken).ConfigureAwait(false);
            removed += last;
        }
        while (last == BatchSize);

        if (removed > 0)
        {
            Log.ExecutionResultsRemoved(logger, removed, hours);
        }

        return removed;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await RemoveExpiredAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Retention is never urgent: a store that fails now is tried at the next tick.
                Log.ExecutionRetentionFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
