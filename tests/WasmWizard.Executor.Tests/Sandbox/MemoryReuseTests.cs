using WasmWizard.Tests.Shared;

namespace WasmWizard.Executor.Tests.Sandbox;

/// <summary>
/// Pooled memories stay mapped between runs (Sandbox:PoolKeepResidentBytes) and are zeroed in place: nothing one
/// run wrote may be there for the next, whether the page was kept or handed back.
/// </summary>
public sealed class MemoryReuseTests
{
    // Prints what is at an offset in the first page and in the third MiB (past what is kept), then writes a marker
    // there: a second run of the same module in the same slot would print the marker if memory were not reset.
    private static readonly byte[] Snooper = Wat.Compile(Wat.Command(
        """
        (func (export "_start")
          (call $print (i32.const 2000) (i32.const 8))
          (call $print (i32.const 2200000) (i32.const 8))
          (i64.store (i32.const 2000) (i64.const 0x4b41454c5f4e5552))
          (i64.store (i32.const 2200000) (i64.const 0x4b41454c5f4e5552)))
        """,
        memory: "(memory (export \"memory\") 40)"));

    [Theory]
    [InlineData("2097152")]
    [InlineData("0")]
    public async Task Run_AfterARunThatWroteToMemory_SeesOnlyZeros(string keepResident)
    {
        using var harness = new SandboxHarness(new Dictionary<string, string?>
        {
            ["Sandbox:MaxConcurrentRuns"] = "1",
            ["Sandbox:PoolKeepResidentBytes"] = keepResident,
        });

        var first = await harness.RunBytesAsync(Snooper);
        var second = await harness.RunBytesAsync(Snooper);

        Assert.True(first.Succeeded);
        Assert.True(second.Succeeded);
        Assert.Equal(new byte[16], first.Stdout);
        Assert.Equal(new byte[16], second.Stdout);
    }
}
