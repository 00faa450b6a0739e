using WasmWizard.Tests.Shared;

namespace WasmWizard.Executor.Tests.Sandbox;

/// <summary>
/// A stopped executor gives its engine's native memory back at once, not when a collection happens to run: a pooling
/// engine maps thousands of regions (pools and their guard pages), and a process that starts executors one after
/// another (test hosts, an embedder) used to keep every stopped one mapped until it hit the kernel's limit on
/// mappings, after which no engine could start.
/// </summary>
[Collection(EngineReleaseCollection.Name)]
public sealed class EngineReleaseTests
{
    private static readonly byte[] Module = Wat.Compile(Wat.Command("""(func (export "_start"))"""));

    [Fact]
    public async Task StoppedExecutors_ReleaseTheirEnginesMappings()
    {
        if (!File.Exists("/proc/self/maps"))
        {
            Assert.Skip("Counts memory mappings through /proc/self/maps, which only Linux has.");
        }

        // One executor first, so that what every executor loads once (native libraries, the runtime's own) is counted.
        await RunOnceInANewExecutorAsync();
        var before = Mappings();

        for (var i = 0; i < 10; i++)
        {
            await RunOnceInANewExecutorAsync();
        }

        // Each engine kept alive would leave a few thousand mappings behind; a few hundred is other noise.
        var left = Mappings() - before;
        Assert.True(left < 1_000, $"ten stopped executors left {left} memory mappings behind");
    }

    private static async Task RunOnceInANewExecutorAsync()
    {
        using var executor = new SandboxHarness();
        await executor.StoreAsync(Module);
        Assert.True((await executor.RunBytesAsync(Module)).Succeeded);
    }

    private static int Mappings() => File.ReadLines("/proc/self/maps").Count();
}

/// <summary>Runs <see cref="EngineReleaseTests"/> alone: other classes' executors would move the count.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EngineReleaseCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Engine release (alone)";
}
