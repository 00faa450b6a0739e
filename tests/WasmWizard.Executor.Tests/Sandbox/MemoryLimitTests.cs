using WasmWizard.Shared.Contracts;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Executor.Tests.Sandbox;

/// <summary>The linear memory cap is enforced, and a run that fails because of it says so.</summary>
public sealed class MemoryLimitTests : IDisposable
{
    private static readonly RunLimits FourMebibytes = SandboxHarness.DefaultLimits with { MemoryLimitBytes = 4 * 1024 * 1024 };

    private readonly SandboxHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Run_GrowsPastCapThenTraps_MemoryLimit()
    {
        // Grows a page at a time; when growth is refused it gives up the way allocators do, with a trap.
        var result = await _harness.RunWatAsync(Wat.Command("""
            (func (export "_start")
              (loop $more
                (br_if $more (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
              unreachable)
            """), FourMebibytes);

        Assert.Equal(ExecutionOutcome.MemoryLimit, result.Outcome);
        Assert.Null(result.TrapKind);
        Assert.Contains("4 MiB", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_GrowsPastCapThenExitsNonZero_MemoryLimitWithExitCode()
    {
        var result = await _harness.RunWatAsync(Wat.Command("""
            (func (export "_start")
              (if (i32.eq (memory.grow (i32.const 1000)) (i32.const -1)) (then (call $proc_exit (i32.const 3)))))
            """), FourMebibytes);

        Assert.Equal(ExecutionOutcome.MemoryLimit, result.Outcome);
        Assert.Equal(3, result.ExitCode);
    }

    [Fact]
    public async Task Run_RefusedGrowthHandledGracefully_StillExitedSuccessfully()
    {
        var result = await _harness.RunWatAsync(Wat.Command("""
            (func (export "_start") (drop (memory.grow (i32.const 1000))))
            """), FourMebibytes);

        Assert.Equal(ExecutionOutcome.Exited, result.Outcome);
        Assert.True(result.Succeeded);
    }

    [Fact]
    public async Task Run_GrowthWithinCap_Succeeds()
    {
        var result = await _harness.RunWatAsync(Wat.Command("""
            (func (export "_start")
              (if (i32.eq (memory.grow (i32.const 60)) (i32.const -1)) (then unreachable))
              (i32.store (i32.const 3900000) (i32.const 1)))
            """), FourMebibytes);

        Assert.True(result.Succeeded);
    }

    [Fact]
    public async Task Run_ModulesOwnMaximumReached_TrappedNotMemoryLimit()
    {
        // The module declares at most 2 pages; growing past that fails whatever our cap, so it is its own doing.
        var result = await _harness.RunWatAsync(Wat.Command(
            """
            (func (export "_start") (if (i32.eq (memory.grow (i32.const 5)) (i32.const -1)) (then unreachable)))
            """,
            memory: "(memory (export \"memory\") 1 2)"));

        Assert.Equal(ExecutionOutcome.Trapped, result.Outcome);
        Assert.Equal("unreachable", result.TrapKind);
    }

    [Fact]
    public async Task Run_InitialMemoryAboveCap_MemoryLimitBeforeRunning()
    {
        var result = await _harness.RunWatAsync(
            Wat.Command(
                """(func (export "_start") (call $print (i32.const 0) (i32.const 1)))""",
                memory: "(memory (export \"memory\") 257)"),
            FourMebibytes);

        Assert.Equal(ExecutionOutcome.MemoryLimit, result.Outcome);
        Assert.Empty(result.Stdout);
        Assert.Contains("16.06 MiB", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_HostSideStillEnforcesCap_MemoryNeverExceedsLimit()
    {
        // Asks for the whole cap plus one page in one go: refused, so a store past the cap traps out of bounds.
        var result = await _harness.RunWatAsync(Wat.Command("""
            (func (export "_start")
              (drop (memory.grow (i32.const 64)))
              (i32.store (i32.const 4194304) (i32.const 1)))
            """), FourMebibytes);

        Assert.Equal(ExecutionOutcome.MemoryLimit, result.Outcome);
    }
}
