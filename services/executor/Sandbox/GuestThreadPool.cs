using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using WasmWizard.Shared.Contracts;

namespace WasmWizard.Executor.Sandbox;

/// <summary>
/// Dedicated threads for guests. Wasmtime .NET has no async, so a guest blocks its thread for the whole run;
/// running it on the ASP.NET thread pool would starve the server. A fixed number of slots bounds concurrent runs,
/// and a caller that finds them all busy is told so at once instead of waiting. No tenant may hold every slot
/// (unless there is only one), so one tenant's long runs never lock all others out.
/// </summary>
/// <remarks>
/// A slot is a thread: a run is handed to one idle thread of its own, woken by its own signal, and the thread
/// that finished last is handed the next run. A shared queue woke whichever thread came first and spread runs over
/// all of them; the thread still warm from the last run (its stack, Wasmtime's per-thread state, the core it ran
/// on) costs a short run less, and only that thread spins while waiting for the next.
/// </remarks>
internal sealed class GuestThreadPool : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Stack<GuestThread> _idle;
    private readonly GuestThread[] _threads;
    private readonly TimeSpan _retryAfter;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<string, int> _heldByTenant = new(StringComparer.Ordinal);
    private readonly int _tenantShare;
    private readonly ILogger _logger;
    private int _free;
    private int _active;
    private bool _disposed;

    public GuestThreadPool(IOptions<SandboxOptions> options, ILogger<GuestThreadPool>? logger = null)
    {
        _logger = logger ?? NullLogger<GuestThreadPool>.Instance;
        var settings = options.Value;
        _retryAfter = TimeSpan.FromSeconds(settings.BusyRetryAfterSeconds);
        _tenantShare = Math.Max(1, settings.MaxConcurrentRuns - 1);
        _threads = new GuestThread[settings.MaxConcurrentRuns];
        _idle = new Stack<GuestThread>(_threads.Length);
        for (var i = _threads.Length - 1; i >= 0; i--)
        {
            _threads[i] = new GuestThread($"wasm-guest-{i}", settings.GuestThreadStackBytes);
            _idle.Push(_threads[i]);
        }

        _free = _threads.Length;
    }

    /// <summary>Slots not taken right now.</summary>
    public int FreeSlots => Volatile.Read(ref _free);

    /// <summary>Work items executing on a guest thread right now.</summary>
    public int ActiveRuns => Volatile.Read(ref _active);

    /// <summary>Most slots one tenant may hold at once.</summary>
    public int TenantShare => _tenantShare;

    /// <summary>
    /// Runs <paramref name="work"/> on a guest thread, or throws <see cref="ExecutorBusyException"/> at once when
    /// every slot is taken or <paramref name="tenant"/> holds its share. The token the work gets is cancelled when
    /// the caller's is, and when the pool shuts down.
    /// </summary>
    public Task<T> RunAsync<T>(Func<CancellationToken, T> work, string? tenant, CancellationToken cancellationToken) =>
        RunThenReleaseAsync(token => (work(token), (IDisposable?)null), tenant, cancellationToken);

    /// <summary>
    /// <see cref="RunAsync{T}"/> for work that leaves something to release (a run's store): the guest thread
    /// releases it after the caller has the result, so the answer does not wait for it. The next run handed to that
    /// thread starts once it is released, so a thread never holds more than one run's resources.
    /// </summary>
    public Task<T> RunThenReleaseAsync<T>(
        Func<CancellationToken, (T Result, IDisposable? Leftovers)> work, string? tenant, CancellationToken cancellationToken)
    {
        // Continuations run on a pool thread, never on the guest thread, which must be free for the next run.
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        GuestThread? thread = null;
        void Run()
        {
            Interlocked.Increment(ref _active);
            T result;
            IDisposable? leftovers;
            try
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
                (result, leftovers) = work(linked.Token);
            }
            catch (Exception e)
            {
                // The slot is free before the caller learns the outcome, so a caller can run again at once.
                Interlocked.Decrement(ref _active);
                Return(thread!, tenant);
                completion.SetException(e);
                return;
            }

            Interlocked.Decrement(ref _active);
            Return(thread!, tenant);
            completion.SetResult(result);
            Release(leftovers);
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var held = tenant is null ? 0 : _heldByTenant.GetValueOrDefault(tenant);
            if (held >= _tenantShare)
            {
                throw new ExecutorBusyException(_retryAfter, tenantShareSpent: true);
            }

            if (!_idle.TryPop(out thread))
            {
                throw new ExecutorBusyException(_retryAfter);
            }

            if (tenant is not null)
            {
                _heldByTenant[tenant] = held + 1;
            }

            _free--;
            // Given while the lock is held, so a thread woken by Dispose still finds its work and completes it.
            thread.Assign(Run);
        }

        thread.Wake();
        return completion.Task;
    }

    public void Dispose()
    {
        // Running guests see the cancellation at their next epoch tick (or wake from a WASI sleep) and stop, so
        // no guest outlives the engine it runs on.
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _stopping.Cancel();
        foreach (var thread in _threads)
        {
            thread.Stop();
        }

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

        lock (_gate)
        {
            return _heldByTenant.GetValueOrDefault(tenant) < _tenantShare;
        }
    }

    private void Release(IDisposable? leftovers)
    {
        try
        {
            leftovers?.Dispose();
        }
        catch (Exception e)
        {
            // The caller has its answer and the slot is back on the idle stack: a throw here would end the guest
            // thread (and the process) and leave the slot to a thread that no longer takes runs.
            Log.RunReleaseFailed(_logger, e);
        }
    }

    private void Return(GuestThread thread, string? tenant)
    {
        lock (_gate)
        {
            if (tenant is not null)
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

            _idle.Push(thread);
            _free++;
        }
    }

    /// <summary>One guest thread and the signal that wakes it for its next run.</summary>
    private sealed class GuestThread
    {
        // Counts wake-ups: one per run handed over, one to stop; SemaphoreSlim spins briefly before it sleeps.
        private readonly SemaphoreSlim _wake = new(0);
        private readonly Thread _thread;
        private Action? _work;
        private volatile bool _stopping;

        public GuestThread(string name, int stackBytes)
        {
            _thread = new Thread(Loop, stackBytes) { IsBackground = true, Name = name };
            _thread.Start();
        }

        public void Assign(Action work) => Volatile.Write(ref _work, work);

        public void Wake() => _wake.Release();

        public void Stop()
        {
            _stopping = true;
            _wake.Release();
        }

        public void Join(TimeSpan timeout) => _thread.Join(timeout);

        private void Loop()
        {
            while (true)
            {
                _wake.Wait();
                if (Interlocked.Exchange(ref _work, null) is { } work)
                {
                    work();
                }
                else if (_stopping)
                {
                    return;
                }
            }
        }
    }
}
