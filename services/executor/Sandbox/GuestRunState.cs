using System.Diagnostics;
using Wasmtime;

namespace WasmWizard.Executor.Sandbox;

/// <summary>
/// Per-run state the host side of a guest needs: the deadline, the captured output and the run's own
/// monotonic clock. It is the Wasmtime store's data, so shims reach it through <c>Caller.GetData()</c>.
/// </summary>
internal sealed class GuestRunState(TimeSpan timeout, int stdoutCapacity, int stderrCapacity, CancellationToken cancellation)
{
    private long _startTimestamp;

    public OutputBuffer Stdout { get; } = new(stdoutCapacity);

    public OutputBuffer Stderr { get; } = new(stderrCapacity);

    public TimeSpan Timeout => timeout;

    /// <summary>The guest's exported memory, once a shim first needed it.</summary>
    public Memory? Memory { get; set; }

    /// <summary>Set once the deadline stopped the run, whichever way it was noticed.</summary>
    public bool DeadlineExceeded { get; private set; }

    /// <summary>Set once the run was stopped because its caller went away.</summary>
    public bool Cancelled { get; private set; }

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_startTimestamp);

    /// <summary>Nanoseconds on the guest's monotonic clock, which starts with the run.</summary>
    public ulong MonotonicNanoseconds => (ulong)Elapsed.Ticks * 100;

    /// <summary>Arms the deadline. Called right before instantiation, since start functions run there.</summary>
    public void Start() => _startTimestamp = Stopwatch.GetTimestamp();

    /// <summary>Called on every epoch tick while wasm code runs; throws to end the run once it is over time.</summary>
    public ulong OnEpochTick()
    {
        ThrowIfStopped();
        return 1;
    }

    /// <summary>
    /// For host code that works in steps: throws to end the run once it is over time or its caller left.
    /// </summary>
    public void CheckStillRunning() => ThrowIfStopped();

    /// <summary>
    /// Blocks the guest thread until its monotonic clock reaches <paramref name="monotonicNanoseconds"/>,
    /// but never past the run's deadline: a guest sleeping in WASI must not outlive it.
    /// </summary>
    public void SleepUntil(ulong monotonicNanoseconds)
    {
        while (true)
        {
            ThrowIfStopped();
            var now = MonotonicNanoseconds;
            if (now >= monotonicNanoseconds)
            {
                return;
            }

            var wanted = TimeSpan.FromTicks((long)Math.Min((monotonicNanoseconds - now) / 100, long.MaxValue / 2));
            var left = timeout - Elapsed;
            var wait = wanted < left ? wanted : left;
            if (wait > TimeSpan.Zero)
            {
                // Wake early if the caller goes away; otherwise this is a plain sleep.
                cancellation.WaitHandle.WaitOne(wait < TimeSpan.FromHours(1) ? wait : TimeSpan.FromHours(1));
            }
        }
    }

    private void ThrowIfStopped()
    {
        if (cancellation.IsCancellationRequested)
        {
            Cancelled = true;
            throw new GuestCancelledException();
        }

        if (Elapsed >= timeout)
        {
            DeadlineExceeded = true;
            throw new GuestDeadlineExceededException();
        }
    }
}
