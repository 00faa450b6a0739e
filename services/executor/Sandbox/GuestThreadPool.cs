using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using WasmWizard.Shared.Contracts;

namespace WasmWizard.Executor.Sandbox;

/// <summary>
/// Dedicated threads for guests. Wasmtime .NET has no async, so a guest blocks its thread for the whole run;
/// running it on the ASP.NET thread pool would starve the server. A fixed number of slots bounds concurrent runs,
/// and a caller that finds them all busy is told so at once instead of waiting.
/// </summary>
internal sealed class GuestThreadPool : IDisposable
{
    private readonly BlockingCollection<Action> _work = [];
    private readonly SemaphoreSlim _slots;
    private readonly Thread[] _threads;
    private readonly TimeSpan _retryAfter;
    private readonly CancellationTokenSource _stopping = new();

    public GuestThreadPool(IOptions<SandboxOptions> options)
    {
        var settings = options.Value;
        _retryAfter = TimeSpan.FromSeconds(settings.BusyRetryAfterSeconds);
        _slots = new SemaphoreSlim(settings.MaxConcurrentRuns, settings.MaxConcurrentRuns);
        _threads = new Thread[settings.MaxConcurrentRuns];
        for (var i = 0; i < _threads.Length; i++)
        {
            _threads[i] = new Thread(Work, settings.GuestThreadStackBytes)
            {
                IsBackground = true,
                Name = $"wasm-guest-{i}",
            };
            _threads[i].Start();
        }
    }

    /// <summary>Slots not taken right now.</summary>
    public int FreeSlots => _slots.CurrentCount;

    /// <summary>
    /// Runs <paramref name="work"/> on a guest thread, or throws <see cref="ExecutorBusyException"/> at once when
    /// every slot is taken. A slot is held until the work ends, so there is always a thread for queued work.
    /// The token the work gets is cancelled when the caller's is, and when the pool shuts down.
    /// </summary>
    public Task<T> RunAsync<T>(Func<CancellationToken, T> work, CancellationToken cancellationToken)
    {
        if (!_slots.Wait(0))
        {
            throw new ExecutorBusyException(_retryAfter);
        }

        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            _work.Add(() =>
            {
                // Free the slot before completing, so a caller that gets its result can run again at once.
                T result;
                try
                {
                    using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
                    result = work(linked.Token);
                }
                catch (Exception e)
                {
                    _slots.Release();
                    completion.SetException(e);
                    return;
                }

                _slots.Release();
                completion.SetResult(result);
            });
        }
        catch (InvalidOperationException)
        {
            _slots.Release();
            throw new ObjectDisposedException(nameof(GuestThreadPool));
        }

        return completion.Task;
    }

    public void Dispose()
    {
        // Running guests see the cancellation at their next epoch tick (or wake from a WASI sleep) and stop, so
        // no guest outlives the engine it runs on.
        _stopping.Cancel();
        _work.CompleteAdding();
        foreach (var thread in _threads)
        {
            thread.Join(TimeSpan.FromSeconds(5));
        }
    }

    private void Work()
    {
        foreach (var item in _work.GetConsumingEnumerable())
        {
            item();
        }
    }
}
