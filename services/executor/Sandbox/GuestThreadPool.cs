using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using WasmWizard.Shared.Contracts;

namespace WasmWizard.Executor.Sandbox;

/// <summary>
/// Dedicated threads for guests. Wasmtime .NET has no async, so a guest blocks its thread for the whole run;
/// running it on the ASP.NET thread pool would starve the server. A fixed number of slots bounds concurrent runs,
/// and a caller that finds them all busy is told so at once instead of waiting. No tenant may hold every slot
/// (unless there is only one), so one tenant's long runs never lock all others out.
/// </summary>
internal sealed class GuestThreadPool : IDisposable
{
    private readonly BlockingCollection<Action> _work = [];
    private readonly SemaphoreSlim _slots;
    private readonly Thread[] _threads;
    private readonly TimeSpan _retryAfter;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<string, int> _heldByTenant = new(StringComparer.Ordinal);
    private readonly int _tenantShare;
    private int _active;

    public GuestThreadPool(IOptions<SandboxOptions> options)
    {
        var settings = options.Value;
        _retryAfter = TimeSpan.FromSeconds(settings.BusyRetryAfterSeconds);
        _slots = new SemaphoreSlim(settings.MaxConcurrentRuns, settings.MaxConcurrentRuns);
        _tenantShare = Math.Max(1, settings.MaxConcurrentRuns - 1);
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

    /// <summary>Work items executing on a guest thread right now.</summary>
    public int ActiveRuns => Volatile.Read(ref _active);

    /// <summary>Most slots one tenant may hold at once.</summary>
    public int TenantShare => _tenantShare;

    /// <summary>
    /// Runs <paramref name="work"/> on a guest thread, or throws <see cref="ExecutorBusyException"/> at once when
    /// every slot is taken or <paramref name="tenant"/> holds its share. A slot is held until the work ends, so
    /// there is always a thread for queued work. The token the work gets is cancelled when the caller's is, and
    /// when the pool shuts down.
    /// </summary>
    public Task<T> RunAsync<T>(Func<CancellationToken, T> work, string? tenant, CancellationToken cancellationToken)
    {
        if (!TryTakeShare(tenant))
        {
            throw new ExecutorBusyException(_retryAfter, tenantShareSpent: true);
        }

        if (!_slots.Wait(0))
        {
            ReturnShare(tenant);
            throw new ExecutorBusyException(_retryAfter);
        }

        void Release()
        {
            ReturnShare(tenant);
            _slots.Release();
        }

        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            _work.Add(() =>
            {
                // Free the slot before completing, so a caller that gets its result can run again at once.
                T result;
                Interlocked.Increment(ref _active);
                try
                {
                    using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
                    result = work(linked.Token);
                }
                catch (Exception e)
                {
                    Interlocked.Decrement(ref _active);
                    Release();
                    completion.SetException(e);
                    return;
                }

                Interlocked.Decrement(ref _active);
                Release();
                completion.SetResult(result);
            });
        }
        catch (InvalidOperationException)
        {
            Release();
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

    /// <summary>Whether <paramref name="tenant"/> could take a slot now (without taking one).</summary>
    public bool HasShareLeft(string? tenant)
    {
        if (tenant is null)
        {
            return true;
        }

        lock (_heldByTenant)
        {
            return _heldByTenant.GetValueOrDefault(tenant) < _tenantShare;
        }
    }

    private bool TryTakeShare(string? tenant)
    {
        if (tenant is null)
        {
            return true;
        }

        lock (_heldByTenant)
        {
            var held = _heldByTenant.GetValueOrDefault(tenant);
            if (held >= _tenantShare)
            {
                return false;
            }

            _heldByTenant[tenant] = held + 1;
            return true;
        }
    }

    private void ReturnShare(string? tenant)
    {
        if (tenant is null)
        {
            return;
        }

        lock (_heldByTenant)
        {
            var held = _heldByTenant[tenant] - 1;
            if (held == 0)
            {
                _heldByTenant.Remove(tenant);
            }
            else
            {
                _heldByTenant[tenant] = held;
            }
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
