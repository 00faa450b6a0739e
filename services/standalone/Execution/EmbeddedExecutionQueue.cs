using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using WasmWizard.Api.Execution;
using WasmWizard.Executor.Sandbox;
using WasmWizard.Shared.Ports;
using WasmWizard.Standalone.Storage;

namespace WasmWizard.Standalone.Execution;

/// <summary>
/// The embedded host's run queue: the queued rows of <see cref="SqliteExecutionJobStore"/>, taken oldest first by a
/// bounded number of workers. A job whose tenant is at its cap on runs in flight is skipped (it waits, and the
/// tenants behind it are served); when the executor is busy the job goes back to the queue and the workers pause
/// until a run ends or the executor's retry time has passed.
/// </summary>
/// <remarks>
/// At startup, jobs still marked running were interrupted by the end of the previous process: they are completed as
/// <c>interrupted</c>, never run twice. A stopping host waits for the runs it started (each ends by its deadline).
/// </remarks>
public sealed class EmbeddedExecutionQueue(
    SqliteExecutionJobStore store,
    ExecutionJobRunner runner,
    IOptions<ExecutionQueueOptions> options,
    IOptions<SandboxOptions> sandbox,
    TimeProvider time,
    ILogger<EmbeddedExecutionQueue> logger)
    : BackgroundService, IExecutionQueue
{
    private const int BatchSize = 64;

    // A safety net only: submits and finished runs wake the dispatcher at once.
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly ConcurrentDictionary<Guid, Task> _running = new();

    // Tenants whose own runs fill their share of the sandbox: skipped until one of their queued runs ends or the
    // executor's retry time (in UTC ticks) has passed, whichever comes first (their synchronous runs count too).
    private readonly ConcurrentDictionary<Guid, long> _tenantsAtShare = new();
    private long _pausedUntilTicks;

    /// <summary>How many workers run jobs: the configured number, else as many as the sandbox runs at once.</summary>
    public int Workers => options.Value.Workers ?? sandbox.Value.MaxConcurrentRuns;

    /// <inheritdoc />
    public Task EnqueueAsync(ExecutionJob job, CancellationToken cancellationToken)
    {
        // The job is already durable (a queued row); the workers only need to look.
        Wake();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);

        // Runs already handed to the executor finish by their own deadline; waiting for them means a clean stop leaves
        // nothing to mark interrupted. The host's shutdown timeout still bounds the wait.
        await Task.WhenAll(_running.Values).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interrupted = await store.InterruptRunningAsync(time.GetUtcNow(), stoppingToken).ConfigureAwait(false);
        foreach (var id in interrupted)
        {
            Log.ExecutionInterrupted(logger, id);
        }

        var workers = Workers;
        if (workers == 0)
        {
            // Configured off: jobs are accepted and kept, and run once a host with workers starts on this database.
            Log.ExecutionQueueHeld(logger);
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await DispatchAsync(workers, stoppingToken).ConfigureAwait(false);
                await _wake.WaitAsync(PollInterval, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException)
            {
                // The database cannot be read now (locked, full disk): the jobs stay queued; try again shortly.
                Log.ExecutionQueueFailed(logger, e);
                await Task.Delay(PollInterval, time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private void Wake()
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

    private async Task DispatchAsync(int workers, CancellationToken cancellationToken)
    {
        if (time.GetUtcNow().UtcTicks < Interlocked.Read(ref _pausedUntilTicks))
        {
            return;
        }

        var now = time.GetUtcNow().UtcTicks;
        var skip = _tenantsAtShare.Where(t => t.Value > now).Select(t => t.Key).ToHashSet();
        while (_running.Count < workers)
        {
            var queued = await store.QueuedAsync(skip, BatchSize, cancellationToken).ConfigureAwait(false);
            if (queued.Count == 0)
            {
                return;
            }

            foreach (var job in queued)
            {
                if (_running.Count >= workers)
                {
                    return;
                }

                if (skip.Contains(job.TenantId))
                {
                    continue;
                }

                var tier = await runner.CurrentTierAsync(job, cancellationToken).ConfigureAwait(false);
                var slot = runner.TryReserve(job, tier);
                if (slot is null)
                {
                    // At its cap: this tenant's jobs wait; the next query passes over them to other tenants'.
                    skip.Add(job.TenantId);
                    continue;
                }

                // Claimed here, before the next query, so a job is never picked twice.
                if (!await runner.TryClaimAsync(job, cancellationToken).ConfigureAwait(false))
                {
                    slot.Dispose();
                    continue;
                }

                _running[job.Id] = RunAsync(job, tier, slot);
            }

            // A short batch was everything queued; after a full one, look again past what was started or skipped.
            if (queued.Count < BatchSize)
            {
                return;
            }
        }
    }

    private async Task RunAsync(ExecutionJob job, string tier, IDisposable slot)
    {
        // Off the dispatcher's path: the run blocks on a guest thread, not here.
        await Task.Yield();
        try
        {
            using (slot)
            {
                if (await runner.RunClaimedAsync(job, tier).ConfigureAwait(false) is { } busy)
                {
                    if (busy.TenantShareSpent)
                    {
                        _tenantsAtShare[job.TenantId] = (time.GetUtcNow() + busy.RetryAfter).UtcTicks;
                    }
                    else
                    {
                        Interlocked.Exchange(ref _pausedUntilTicks, (time.GetUtcNow() + busy.RetryAfter).UtcTicks);
                    }

                    return;
                }
            }

            // A run ended: a slot is free again, for this tenant and for everyone.
            _tenantsAtShare.TryRemove(job.TenantId, out _);
            Interlocked.Exchange(ref _pausedUntilTicks, 0);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The job stays running and is marked interrupted at the next start; never run a second time.
            Log.ExecutionQueueFailed(logger, e);
        }
        finally
        {
            _running.TryRemove(job.Id, out _);
            Wake();
        }
    }
}

/// <summary>The embedded run queue's settings.</summary>
/// <remarks>Configuration shape (section <c>ExecutionQueue</c>): <code>"ExecutionQueue": { "Workers": 4 }</code></remarks>
public sealed class ExecutionQueueOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "ExecutionQueue";

    /// <summary>
    /// How many queued executions run at once; unset means <c>Sandbox:MaxConcurrentRuns</c>. Zero holds the queue:
    /// submissions are kept and wait for a host with workers.
    /// </summary>
    public int? Workers { get; set; }
}
