using System.Text;
using WasmWizard.Shared.Contracts;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Executor.Tests.Sandbox;

/// <summary>The limits besides time and memory: tables, wasm stack, args and env, input.</summary>
public sealed class ResourceLimitTests : IDisposable
{
    private readonly SandboxHarness _harness = new(new Dictionary<string, string?>
    {
        ["Sandbox:MaxTableElements"] = "1000",
        ["Sandbox:MaxTables"] = "1",
        ["Sandbox:MaxArgs"] = "3",
        ["Sandbox:MaxArgBytes"] = "64",
        ["Sandbox:MaxEnvVars"] = "2",
        ["Sandbox:MaxEnvBytes"] = "64",
        ["Sandbox:MaxInputBytes"] = "100",
    });

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Run_TableGrowsPastElementLimit_GrowthRefused()
    {
        // table.grow returns -1 when refused; the guest reports what it saw through its exit code.
        var result = await _harness.RunWatAsync(Wat.Command("""
            (table $t 10 funcref)
            (func (export "_start")
              (if (i32.ne (table.grow $t (ref.null func) (i32.const 500)) (i32.const 10)) (then (call $proc_exit (i32.const 1))))
              (if (i32.ne (table.grow $t (ref.null func) (i32.const 1000)) (i32.const -1)) (then (call $proc_exit (i32.const 2)))))
            """));

        Assert.True(result.Succeeded, result.Message);
    }

    [Theory]
    [InlineData("(table 5000 funcref)")]
    [InlineData("(table 1 funcref) (table 1 funcref)")]
    public async Task Prepare_TablesBeyondLimits_RefusedAtUpload(string tables)
    {
        var error = await Assert.ThrowsAsync<ModuleRejectedException>(() => _harness.Sandbox.PrepareModuleAsync(
            Wat.Compile(Wat.Command(tables + """(func (export "_start"))""")), tenant: null, TestContext.Current.CancellationToken));

        Assert.Equal(ModuleRejectionCodes.ExceedsLimits, error.Code);
    }

    [Theory]
    [InlineData("(table 5000 funcref)")]
    [InlineData("(table 1 funcref) (table 1 funcref)")]
    public async Task Run_TablesBeyondLimitsWithoutPooling_RejectedAtInstantiation(string tables)
    {
        using var harness = new SandboxHarness(new Dictionary<string, string?>
        {
            ["Sandbox:UsePoolingAllocator"] = "false",
            ["Sandbox:MaxTableElements"] = "1000",
            ["Sandbox:MaxTables"] = "1",
        });

        var result = await harness.RunWatAsync(Wat.Command(tables + """(func (export "_start"))"""));

        Assert.Equal(ExecutionOutcome.Rejected, result.Outcome);
        Assert.NotNull(result.Message);
    }

    [Fact]
    public async Task Run_TooManyArgs_RefusedBeforeRunning()
    {
        var error = await Assert.ThrowsAsync<RunRequestRejectedException>(
            () => _harness.RunWatAsync(Wat.Command("""(func (export "_start"))"""), args: ["a", "b", "c", "d"]));

        Assert.Equal("invalid_args", error.Code);
    }

    [Fact]
    public async Task Run_ArgsLargerThanLimit_RefusedBeforeRunning()
    {
        var error = await Assert.ThrowsAsync<RunRequestRejectedException>(
            () => _harness.RunWatAsync(Wat.Command("""(func (export "_start"))"""), args: [new string('x', 64)]));

        Assert.Equal("invalid_args", error.Code);
    }

    [Theory]
    [InlineData(3, 1)]
    [InlineData(1, 70)]
    public async Task Run_EnvBeyondLimits_RefusedBeforeRunning(int count, int valueLength)
    {
        var env = Enumerable.Range(0, count).Select(i => KeyValuePair.Create($"V{i}", new string('v', valueLength))).ToList();

        var error = await Assert.ThrowsAsync<RunRequestRejectedException>(
            () => _harness.RunWatAsync(Wat.Command("""(func (export "_start"))"""), env: env));

        Assert.Equal("invalid_env", error.Code);
    }

    [Theory]
    [InlineData("", "x")]
    [InlineData("A=B", "x")]
    [InlineData("A", "nul\0inside")]
    public async Task Run_MalformedEnv_RefusedBeforeRunning(string name, string value)
    {
        var error = await Assert.ThrowsAsync<RunRequestRejectedException>(
            () => _harness.RunWatAsync(Wat.Command("""(func (export "_start"))"""), env: [KeyValuePair.Create(name, value)]));

        Assert.Equal("invalid_env", error.Code);
    }

    [Fact]
    public async Task Run_LoneSurrogateInArgsOrEnv_RefusedBeforeRunning()
    {
        // Built here rather than in InlineData, which would sanitize the lone surrogate away.
        var broken = "lone " + (char)0xD800 + " surrogate";
        var module = Wat.Compile(Wat.Command("""(func (export "_start"))"""));

        var inArgs = await Assert.ThrowsAsync<RunRequestRejectedException>(() => _harness.RunBytesAsync(module, args: [broken]));
        var inEnv = await Assert.ThrowsAsync<RunRequestRejectedException>(
            () => _harness.RunBytesAsync(module, env: [KeyValuePair.Create("A", broken)]));

        Assert.Equal("invalid_args", inArgs.Code);
        Assert.Equal("An argument is not valid Unicode text.", inArgs.Message);
        Assert.Equal("invalid_env", inEnv.Code);
        Assert.Equal("An environment variable value is not valid Unicode text.", inEnv.Message);
    }

    [Fact]
    public async Task Run_InputLargerThanLimit_RefusedBeforeRunning()
    {
        var error = await Assert.ThrowsAsync<RunRequestRejectedException>(
            () => _harness.RunWatAsync(Wat.Command("""(func (export "_start"))"""), stdin: new byte[101]));

        Assert.Equal("input_too_large", error.Code);
    }

    [Fact]
    public async Task Run_ArgsAndEnvAtTheLimits_Accepted()
    {
        var result = await _harness.RunWatAsync(
            Wat.Command("""(func (export "_start"))"""),
            stdin: Encoding.ASCII.GetBytes(new string('i', 100)),
            args: ["a", "b", "c"],
            env: [KeyValuePair.Create("A", "1"), KeyValuePair.Create("B", "2")]);

        Assert.True(result.Succeeded);
    }
}
