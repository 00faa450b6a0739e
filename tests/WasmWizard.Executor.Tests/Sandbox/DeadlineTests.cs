using System.Diagnostics;
using System.Text;
using WasmWizard.Shared.Contracts;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Executor.Tests.Sandbox;

/// <summary>The wall-time deadline, wherever the guest spends its time. Each run must end within deadline + 10 %.</summary>
public sealed class DeadlineTests : IDisposable
{
    private const int TimeoutMs = 1_000;

    private readonly SandboxHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Run_LoopInStart_TimesOutWithinDeadline()
    {
        await AssertTimesOut(Wat.Command($$"""
            {{Wat.Data(200, "spinning\n")}}
            (func (export "_start") (call $print (i32.const 200) (i32.const 9)) (loop (br 0)))
            """), expectedStdout: "spinning\n");
    }

    [Fact]
    public async Task Run_LoopInStartFunction_TimesOutDuringInstantiation()
    {
        // The start function runs inside instantiation, so the deadline must already be armed then.
        await AssertTimesOut(Wat.Command("""
            (func $init (loop (br 0)))
            (start $init)
            (func (export "_start"))
            """));
    }

    [Fact]
    public async Task Run_SleepInPollOneoff_DoesNotOutliveDeadline()
    {
        // One hour of sleep in a WASI call: host code that epoch interruption cannot reach.
        await AssertTimesOut(Wat.Command("""
            (func (export "_start") (call $sleep (i64.const 3600000000000)))
            """));
    }

    [Fact]
    public async Task Run_ManyShortSleeps_StillEndsAtDeadline()
    {
        await AssertTimesOut(Wat.Command("""
            (func (export "_start") (loop (call $sleep (i64.const 30000000)) (br 0)))
            """));
    }

    [Fact]
    public async Task Run_FdWriteOfMillionsOfEmptyBuffers_StillEndsAtDeadline()
    {
        // 8 Mi iovecs of length 0 (fresh memory is zeros) per call: the whole array is walked in host code, where
        // epoch interruption cannot reach, so one call must not take long enough to carry the run past its deadline.
        await AssertTimesOut(Wat.Command(
            """
            (func (export "_start")
              (loop (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 8388600) (i32.const 0))) (br 0)))
            """,
            memory: "(memory (export \"memory\") 1024)"));
    }

    [Fact]
    public async Task Run_StraightLineHostCalls_StillEndAtDeadline()
    {
        // Hundreds of WASI calls in a row with no loop and no call to a function of the module: the engine checks
        // deadlines only where a function is entered or a loop turns, and each call fills 64 MiB, the most one call
        // may, so without a check in front of every host call this body would run for several seconds.
        var calls = string.Concat(Enumerable.Repeat(
            "(drop (call $random_get (i32.const 0) (i32.const 67108864)))\n", 400));
        await AssertTimesOut($$"""
            (module
              (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
              (memory (export "memory") 1024)
              (func (export "_start") {{calls}}))
            """);
    }

    [Fact]
    public async Task Run_StraightLineCallsOfWasmtimesOwnWasi_StillEndAtDeadline()
    {
        // fd_read is Wasmtime's own, and one call walks 8 Mi empty iovecs in host code (tens of ms): here only the
        // check in front of each call ends the run, where the shimmed random_get also checks as it fills.
        var calls = string.Concat(Enumerable.Repeat(
            "(drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 8388608) (i32.const 67108864)))\n", 300));
        await AssertTimesOut($$"""
            (module
              (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
              (memory (export "memory") 1025)
              (func (export "_start") {{calls}}))
            """);
    }

    [Fact]
    public async Task Run_StraightLineBulkMemory_StillEndsAtDeadline()
    {
        // The same with bulk memory instructions, each one instruction that fills or copies 32 MiB (about 7 s in
        // all).
        var steps = string.Concat(Enumerable.Repeat(
            "(memory.fill (i32.const 0) (i32.const 7) (i32.const 33554432))\n"
            + "(memory.copy (i32.const 33554432) (i32.const 0) (i32.const 33554432))\n",
            1_500));
        await AssertTimesOut($$"""
            (module
              (memory (export "memory") 1024)
              (func (export "_start") {{steps}}))
            """);
    }

    [Fact]
    public async Task Run_OneFillOfAGibibyteAtTheDeadline_StillEndsAtDeadline()
    {
        // Half the time spinning on the clock, then one memory.fill over a 1 GiB memory never touched before: one
        // instruction, about a second of page faults, which only the helper's steps (a MiB each) can interrupt.
        await AssertTimesOut(
            """
            (module
              (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
              (memory (export "memory") 16384)
              (func (export "_start")
                (loop $spin
                  (drop (call $clock (i32.const 1) (i64.const 0) (i32.const 8)))
                  (br_if $spin (i64.lt_u (i64.load (i32.const 8)) (i64.const 500000000))))
                (memory.fill (i32.const 0) (i32.const 7) (i32.const 1073741824))))
            """,
            memoryLimitBytes: 1L << 30);
    }

    [Fact]
    public async Task Run_StraightLineStoresToFreshPages_StillEndAtDeadline()
    {
        // 65,536 stores in one body without a loop or a call, each to a page nobody touched yet (a kernel fault of a
        // few µs): ~0.2 s of work started just before the deadline, which only the checks the rewrite puts between
        // every thousand accesses can interrupt.
        var stores = string.Concat(Enumerable.Range(1, 65_536)
            .Select(page => $"(i32.store8 offset={page * 4096} (i32.const 0) (i32.const 1))\n"));
        await AssertTimesOut(
            $$"""
            (module
              (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
              (memory (export "memory") 16384)
              (func $touch {{stores}})
              (func (export "_start")
                (loop $spin
                  (drop (call $clock (i32.const 1) (i64.const 0) (i32.const 8)))
                  (br_if $spin (i64.lt_u (i64.load (i32.const 8)) (i64.const 980000000))))
                (call $touch)
                (loop (br 0))))
            """,
            memoryLimitBytes: 1L << 30);
    }

    private async Task AssertTimesOut(string wat, string? expectedStdout = null, long? memoryLimitBytes = null)
    {
        var limits = SandboxHarness.DefaultLimits with { TimeoutMs = TimeoutMs };
        limits = memoryLimitBytes is { } memory ? limits with { MemoryLimitBytes = memory } : limits;
        var module = Wat.Compile(wat);
        await _harness.RunBytesAsync(module, limits with { TimeoutMs = 1 });

        var started = Stopwatch.GetTimestamp();
        var result = await _harness.RunBytesAsync(module, limits);
        var elapsed = Stopwatch.GetElapsedTime(started);

        Assert.Equal(ExecutionOutcome.Timeout, result.Outcome);
        Assert.Null(result.ExitCode);
        Assert.Null(result.FuelConsumed);
        Assert.InRange(elapsed.TotalMilliseconds, TimeoutMs, TimeoutMs * 1.1);
        Assert.InRange(result.DurationMs, TimeoutMs, TimeoutMs * 1.1);
        if (expectedStdout is not null)
        {
            Assert.Equal(expectedStdout, Encoding.UTF8.GetString(result.Stdout));
        }
    }
}
