using WasmWizard.Shared.Contracts;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Executor.Tests.Sandbox;

/// <summary>The wasm stack limit is configurable: recursion that fits the default overflows a smaller one.</summary>
public sealed class StackLimitTests
{
    private static readonly string Recursion = Wat.Command("""
        (func $down (param i32) (result i32)
          (if (result i32) (i32.eqz (local.get 0))
            (then (i32.const 0))
            (else (i32.add (call $down (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))))
        (func (export "_start") (drop (call $down (i32.const 5000))))
        """);

    [Fact]
    public async Task Run_ModerateRecursion_FitsDefaultStack()
    {
        using var harness = new SandboxHarness();

        Assert.True((await harness.RunWatAsync(Recursion)).Succeeded);
    }

    [Fact]
    public async Task Run_ModerateRecursion_OverflowsSmallStack()
    {
        using var harness = new SandboxHarness(new Dictionary<string, string?> { ["Sandbox:MaxWasmStackBytes"] = "16384" });

        var result = await harness.RunWatAsync(Recursion);

        Assert.Equal(ExecutionOutcome.Trapped, result.Outcome);
        Assert.Equal("stack_overflow", result.TrapKind);
    }
}
