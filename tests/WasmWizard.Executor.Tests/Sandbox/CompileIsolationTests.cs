using System.Diagnostics;
using WasmWizard.Shared.Contracts;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Executor.Tests.Sandbox;

/// <summary>
/// A module that is cheap to send and expensive to compile costs a compiler process that is stopped at the
/// memory ceiling or the deadline, never the executor's memory or a compile slot for longer than the budget.
/// </summary>
public sealed class CompileIsolationTests
{
    private static readonly byte[] Expensive = PathologicalModules.ManyLocalsBranchTable(8000);

    [Fact]
    public async Task Prepare_CompileNeedsMoreThanMemoryCeiling_RefusedAsExceedsLimits()
    {
        using var harness = new SandboxHarness(new Dictionary<string, string?>
        {
            ["Sandbox:CompileMemoryLimitMb"] = "256",
            ["Sandbox:CompileTimeoutMs"] = "120000",
        });

        var error = await Assert.ThrowsAsync<ModuleRejectedException>(
            () => harness.Sandbox.PrepareModuleAsync(Expensive, null, TestContext.Current.CancellationToken));

        Assert.Equal(ModuleRejectionCodes.ExceedsLimits, error.Code);
        Assert.Contains("256 MiB", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prepare_CompileLongerThanBudget_StoppedAndSlotFreedForOthers()
    {
        using var harness = new SandboxHarness(new Dictionary<string, string?>
        {
            ["Sandbox:CompileTimeoutMs"] = "1000",
            ["Sandbox:CompileMemoryLimitMb"] = "16384",
            ["Sandbox:MaxConcurrentCompiles"] = "1",
        });

        var started = Stopwatch.GetTimestamp();
        var error = await Assert.ThrowsAsync<ModuleRejectedException>(
            () => harness.Sandbox.PrepareModuleAsync(Expensive, null, TestContext.Current.CancellationToken));
        var refusedAfter = Stopwatch.GetElapsedTime(started);

        // With the only compile slot, the next module compiles at once: the expensive compile did not go on.
        var next = Stopwatch.GetTimestamp();
        await harness.StoreAsync(Wat.Compile(Wat.Command("""(func (export "_start"))""")));
        var nextTook = Stopwatch.GetElapsedTime(next);

        Assert.Equal(ModuleRejectionCodes.CompileTimeout, error.Code);
        Assert.InRange(refusedAfter.TotalMilliseconds, 1000, 5000);
        Assert.True(nextTook < TimeSpan.FromSeconds(5), $"the next compile took {nextTook}");
    }

    [Fact]
    public async Task Prepare_TenantCompilingItsShare_RefusedAtOnce_WhileOthersStillCompile()
    {
        using var harness = new SandboxHarness(new Dictionary<string, string?>
        {
            ["Sandbox:CompileTimeoutMs"] = "5000",
            ["Sandbox:CompileMemoryLimitMb"] = "16384",
            ["Sandbox:MaxConcurrentCompiles"] = "2",
        });
        var token = TestContext.Current.CancellationToken;

        // Two slots, so one tenant may hold one: the expensive compile holds it until the compile budget stops it.
        var slow = harness.Sandbox.PrepareModuleAsync(Expensive, "hog", token);
        var refused = await Assert.ThrowsAsync<ExecutorBusyException>(
            () => harness.Sandbox.PrepareModuleAsync(UniqueModule(), "hog", token));
        await harness.Sandbox.PrepareModuleAsync(UniqueModule(), "neighbour", token);
        var neighbourDoneFirst = !slow.IsCompleted;
        var stopped = await Assert.ThrowsAsync<ModuleRejectedException>(() => slow);
        await harness.Sandbox.PrepareModuleAsync(UniqueModule(), "hog", token);

        Assert.True(refused.TenantShareSpent);
        Assert.Contains("compiling", refused.Message, StringComparison.Ordinal);
        Assert.True(neighbourDoneFirst, "the other tenant's module waited for the expensive compile");
        Assert.Equal(ModuleRejectionCodes.CompileTimeout, stopped.Code);
    }

    private static byte[] UniqueModule() =>
        Wat.Compile(Wat.Command($$"""(data (i32.const 64) "{{Guid.NewGuid():N}}") (func (export "_start"))"""));
}
