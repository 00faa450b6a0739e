using WasmWizard.Executor.Sandbox;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Executor.Tests.Sandbox;

/// <summary>A distinct module is compiled once; later runs, and a restarted executor, reuse the result.</summary>
public sealed class CompileCacheTests
{
    private static readonly byte[] Module = Wat.Compile(Wat.Command("""(func (export "_start"))"""));

    [Fact]
    public async Task Run_AfterPrepare_ReusesCompiledModule()
    {
        using var harness = new SandboxHarness();
        var sha256 = await harness.StoreAsync(Module);

        await harness.RunBytesAsync(Module);
        await harness.RunBytesAsync(Module);

        Assert.Equal(1, harness.Statistics.Compilations);
        Assert.Equal(2, harness.Statistics.MemoryHits);
        Assert.Single(Directory.GetFiles(harness.CacheDirectory, sha256 + "-*.cwasm"));
    }

    [Fact]
    public async Task Run_NewExecutorOnSameCache_LoadsArtifactInsteadOfCompiling()
    {
        string cache;
        string sha256;
        using (var first = new SandboxHarness())
        {
            sha256 = await first.StoreAsync(Module);
            cache = first.CacheDirectory;
        }

        using var second = new SandboxHarness(cacheDirectory: cache);
        await second.StoreAsync(Module);
        var result = await second.Sandbox.RunAsync(
            new Shared.Contracts.RunRequest(sha256, null, "m.wasm", [], [], [], SandboxHarness.DefaultLimits),
            TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded);
        Assert.Equal(0, second.Statistics.Compilations);
        Assert.Equal(1, second.Statistics.DiskLoads);
    }

    [Fact]
    public async Task Run_MemoryCacheOverItsByteBudget_EvictsOldestAndReloadsFromDisk()
    {
        using var harness = new SandboxHarness(new Dictionary<string, string?> { ["Sandbox:MemoryCacheBytes"] = "1" });
        var other = Wat.Compile(Wat.Command("""(func (export "_start") (nop))"""));
        await harness.StoreAsync(Module);
        await harness.StoreAsync(other);

        var result = await harness.Sandbox.RunAsync(
            new Shared.Contracts.RunRequest(
                CompiledModuleCache.Sha256Of(Module), null, "m.wasm", [], [], [], SandboxHarness.DefaultLimits),
            TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded);
        Assert.Equal(2, harness.Statistics.Compilations);
        Assert.Equal(1, harness.Statistics.DiskLoads);
    }

    [Fact]
    public async Task Forget_RemovesArtifactAndNextRunCompilesAgain()
    {
        using var harness = new SandboxHarness();
        var sha256 = await harness.StoreAsync(Module);

        harness.Sandbox.ForgetModule(sha256);

        Assert.Empty(Directory.GetFiles(harness.CacheDirectory, sha256 + "*"));
        Assert.True((await harness.RunBytesAsync(Module)).Succeeded);
        Assert.Equal(2, harness.Statistics.Compilations);
    }

    [Fact]
    public async Task Run_DamagedArtifact_RecompilesInsteadOfFailing()
    {
        using var first = new SandboxHarness();
        var sha256 = await first.StoreAsync(Module);
        foreach (var file in Directory.GetFiles(first.CacheDirectory, "*.cwasm"))
        {
            await File.WriteAllBytesAsync(file, [1, 2, 3, 4], TestContext.Current.CancellationToken);
        }

        using var second = new SandboxHarness(cacheDirectory: first.CacheDirectory);
        await second.StoreAsync(Module);

        Assert.Equal(1, second.Statistics.Compilations);
        Assert.Equal(0, second.Statistics.DiskLoads);
        Assert.True((await second.RunBytesAsync(Module)).Succeeded);
        _ = sha256;
    }
}
