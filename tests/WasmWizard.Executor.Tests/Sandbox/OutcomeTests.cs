using System.Diagnostics;
using System.Text;
using WasmWizard.Shared.Contracts;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Executor.Tests.Sandbox;

public sealed class OutcomeTests : IDisposable
{
    private readonly SandboxHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Run_StartReturns_ExitedWithCodeZeroAndStdout()
    {
        var result = await _harness.RunWatAsync(Wat.Command($$"""
            {{Wat.Data(200, "hello\n")}}
            (func (export "_start") (call $print (i32.const 200) (i32.const 6)))
            """));

        Assert.Equal(ExecutionOutcome.Exited, result.Outcome);
        Assert.Equal(0, result.ExitCode);
        Assert.True(result.Succeeded);
        Assert.Equal("hello\n", Encoding.UTF8.GetString(result.Stdout));
        Assert.Empty(result.Stderr);
        Assert.Null(result.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(42)]
    [InlineData(125)]
    public async Task Run_ProcExitFromNestedCall_ReportsThatExitCode(int code)
    {
        // proc_exit from three calls deep must unwind everything and still report the code.
        var result = await _harness.RunWatAsync(Wat.Command($$"""
            {{Wat.Data(200, "before exit\n")}}
            (func $inner (call $print (i32.const 200) (i32.const 12)) (call $proc_exit (i32.const {{code}})) unreachable)
            (func $middle (call $inner))
            (func (export "_start") (call $middle) (call $print (i32.const 200) (i32.const 5)))
            """));

        Assert.Equal(ExecutionOutcome.Exited, result.Outcome);
        Assert.Equal(code, result.ExitCode);
        Assert.Equal("before exit\n", Encoding.UTF8.GetString(result.Stdout));
        Assert.Equal(code == 0, result.Succeeded);
    }

    [Theory]
    [InlineData(126)]
    [InlineData(255)]
    [InlineData(-1)]
    public async Task Run_ProcExitWithInvalidStatus_TrappedAsWasiErrorWithReason(int code)
    {
        var result = await _harness.RunWatAsync(Wat.Command($$"""
            (func (export "_start") (call $proc_exit (i32.const {{code}})))
            """));

        Assert.Equal(ExecutionOutcome.Trapped, result.Outcome);
        Assert.Equal("wasi_error", result.TrapKind);
        Assert.Contains("exit status", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WasiCallWithOutOfBoundsBuffer_TrappedWithReason()
    {
        // An iovec pointing past the end of memory: fd_write ends the run, as Wasmtime's own did.
        var result = await _harness.RunWatAsync(Wat.Command("""
            (func (export "_start")
              (i32.store (i32.const 0) (i32.const 65000))
              (i32.store (i32.const 4) (i32.const 10000))
              (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
            """));

        Assert.Equal(ExecutionOutcome.Trapped, result.Outcome);
        Assert.False(string.IsNullOrWhiteSpace(result.Message));
        Assert.DoesNotContain("wasm backtrace", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_PollWithTooManySubscriptions_GuestGetsNomem()
    {
        var result = await _harness.RunWatAsync(Wat.Command(
            """
            (func (export "_start")
              (call $proc_exit (call $poll_oneoff (i32.const 1024) (i32.const 200000) (i32.const 2000) (i32.const 16))))
            """,
            memory: "(memory (export \"memory\") 8)"));

        Assert.Equal(ExecutionOutcome.Exited, result.Outcome);
        Assert.Equal(48, result.ExitCode);
    }

    [Fact]
    public async Task Run_Unreachable_TrappedWithKindAndOutputWrittenBefore()
    {
        var result = await _harness.RunWatAsync(Wat.Command($$"""
            {{Wat.Data(200, "partial")}}
            (func (export "_start")
              (call $print (i32.const 200) (i32.const 7))
              (call $write (i32.const 2) (i32.const 200) (i32.const 4))
              unreachable)
            """));

        Assert.Equal(ExecutionOutcome.Trapped, result.Outcome);
        Assert.Equal("unreachable", result.TrapKind);
        Assert.Null(result.ExitCode);
        Assert.Equal("partial", Encoding.UTF8.GetString(result.Stdout));
        Assert.Equal("part", Encoding.UTF8.GetString(result.Stderr));
        Assert.False(result.Succeeded);
    }

    [Fact]
    public async Task Run_OutOfBoundsLoad_TrappedMemoryOutOfBounds()
    {
        var result = await _harness.RunWatAsync(Wat.Command("""
            (func (export "_start") (drop (i32.load (i32.const 70000))))
            """));

        Assert.Equal(ExecutionOutcome.Trapped, result.Outcome);
        Assert.Equal("memory_out_of_bounds", result.TrapKind);
    }

    [Fact]
    public async Task Run_TrapInStartFunction_TrappedDuringInstantiation()
    {
        var result = await _harness.RunWatAsync(Wat.Command("""
            (func $init unreachable)
            (start $init)
            (func (export "_start"))
            """));

        Assert.Equal(ExecutionOutcome.Trapped, result.Outcome);
        Assert.Equal("unreachable", result.TrapKind);
    }

    [Fact]
    public async Task Run_DeepRecursion_TrappedStackOverflow()
    {
        var result = await _harness.RunWatAsync(Wat.Command("""
            (func $down (param i32) (result i32) (i32.add (call $down (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
            (func (export "_start") (drop (call $down (i32.const 0))))
            """));

        Assert.Equal(ExecutionOutcome.Trapped, result.Outcome);
        Assert.Equal("stack_overflow", result.TrapKind);
    }

    [Fact]
    public async Task Run_StdinGiven_GuestReadsIt()
    {
        // Reads up to 1000 bytes of stdin into 300 and echoes what it got.
        var result = await _harness.RunWatAsync(
            Wat.Command("""
                (func (export "_start")
                  (i32.store (i32.const 16) (i32.const 300))
                  (i32.store (i32.const 20) (i32.const 1000))
                  (drop (call $fd_read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 24)))
                  (call $print (i32.const 300) (i32.load (i32.const 24))))
                """),
            stdin: Encoding.UTF8.GetBytes("from stdin"));

        Assert.Equal("from stdin", Encoding.UTF8.GetString(result.Stdout));
    }

    [Fact]
    public async Task Run_StdinGiven_ItsFileIsGoneBeforeTheNextRunOnThatSlotStarts()
    {
        // The input file goes with the run's store, after the caller has its answer; with one slot, the next run
        // starts on the same thread only once that is done.
        var stdinFolder = Directory.CreateTempSubdirectory("ww-stdin-");
        try
        {
            using var harness = new SandboxHarness(new Dictionary<string, string?>
            {
                ["Sandbox:MaxConcurrentRuns"] = "1",
                ["Sandbox:TempDirectory"] = stdinFolder.FullName,
            });
            var echo = Wat.Command("""
                (func (export "_start")
                  (i32.store (i32.const 16) (i32.const 300))
                  (i32.store (i32.const 20) (i32.const 1000))
                  (drop (call $fd_read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 24)))
                  (call $print (i32.const 300) (i32.load (i32.const 24))))
                """);

            var first = await harness.RunWatAsync(echo, stdin: Encoding.UTF8.GetBytes("secret input"));
            var second = await harness.RunWatAsync(echo);

            Assert.Equal("secret input", Encoding.UTF8.GetString(first.Stdout));
            Assert.Empty(second.Stdout);
            Assert.Empty(stdinFolder.EnumerateFiles());
        }
        finally
        {
            stdinFolder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Run_NoStdin_GuestReadsEndOfFile()
    {
        var result = await _harness.RunWatAsync(Wat.Command("""
            (func (export "_start")
              (i32.store (i32.const 16) (i32.const 300))
              (i32.store (i32.const 20) (i32.const 1000))
              (i32.store (i32.const 24) (i32.const 99))
              (call $proc_exit (i32.add
                (i32.mul (call $fd_read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 24)) (i32.const 10))
                (i32.load (i32.const 24)))))
            """));

        // errno 0 and zero bytes read.
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task Run_NonUtf8Output_BytesKeptExactly()
    {
        var result = await _harness.RunWatAsync(Wat.Command("""
            (data (i32.const 200) "\ff\fe\00\c3")
            (func (export "_start") (call $print (i32.const 200) (i32.const 4)))
            """));

        Assert.Equal(new byte[] { 0xff, 0xfe, 0x00, 0xc3 }, result.Stdout);
    }

    [Fact]
    public async Task Run_OutputFlood_KeepsCapAndFlagsTruncation()
    {
        // Writes 64 KiB a thousand times (64 MiB); only the 1 MiB cap is kept and the guest still finishes.
        var result = await _harness.RunWatAsync(Wat.Command(
            """
            (func (export "_start") (local $i i32)
              (loop $again
                (call $print (i32.const 0) (i32.const 65536))
                (call $write (i32.const 2) (i32.const 0) (i32.const 65536))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br_if $again (i32.lt_u (local.get $i) (i32.const 1000)))))
            """,
            memory: "(memory (export \"memory\") 2)"));

        Assert.Equal(ExecutionOutcome.Exited, result.Outcome);
        Assert.Equal(1024 * 1024, result.Stdout.Length);
        Assert.True(result.StdoutTruncated);
        Assert.Equal(1024 * 1024, result.Stderr.Length);
        Assert.True(result.StderrTruncated);
    }

    [Fact]
    public async Task Run_FuelBudgetTooSmall_FuelExhaustedAndConsumedReported()
    {
        var limits = SandboxHarness.DefaultLimits with { Fuel = 10_000 };
        var result = await _harness.RunWatAsync(
            Wat.Command("""(func (export "_start") (loop (br 0)))"""), limits);

        Assert.Equal(ExecutionOutcome.FuelExhausted, result.Outcome);
        Assert.Equal(10_000UL, result.FuelConsumed);
    }

    [Fact]
    public async Task Run_WithoutFuelBudget_ReportsFuelConsumed()
    {
        var result = await _harness.RunWatAsync(Wat.Command("""(func (export "_start") (nop))"""));

        Assert.NotNull(result.FuelConsumed);
        Assert.InRange(result.FuelConsumed!.Value, 1UL, 1000UL);
    }

    [Fact]
    public async Task Run_ArgsAndEnv_GuestSeesExactlyThemAfterProgramName()
    {
        var result = await _harness.RunWatAsync(
            Wat.Command("""
                (func (export "_start")
                  (drop (call $args_sizes (i32.const 16) (i32.const 20)))
                  (drop (call $args_get (i32.const 1000) (i32.const 2000)))
                  (call $print (i32.const 2000) (i32.load (i32.const 20)))
                  (drop (call $env_sizes (i32.const 16) (i32.const 20)))
                  (drop (call $env_get (i32.const 1000) (i32.const 3000)))
                  (call $write (i32.const 2) (i32.const 3000) (i32.load (i32.const 20))))
                """),
            args: ["one", "two words"],
            env: [new("B", "2"), new("A", "1")],
            programName: "echo.wasm");

        Assert.Equal("echo.wasm\0one\0two words\0", Encoding.UTF8.GetString(result.Stdout));
        Assert.Equal("B=2\0A=1\0", Encoding.UTF8.GetString(result.Stderr));
    }

    [Fact]
    public async Task Run_ShortSleep_SleepsThenExits()
    {
        var started = Stopwatch.GetTimestamp();
        var result = await _harness.RunWatAsync(Wat.Command("""
            (func (export "_start") (call $sleep (i64.const 50000000)))
            """));

        Assert.Equal(ExecutionOutcome.Exited, result.Outcome);
        Assert.True(Stopwatch.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(50));
    }
}
