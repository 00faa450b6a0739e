using BenchmarkDotNet.Attributes;
using WasmWizard.Executor.Sandbox.Instrumentation;

namespace WasmWizard.Benchmarks;

/// <summary>
/// What a fresh executor does with a module it compiled before a restart (read the artifact the cache wrote and
/// deserialize it, as CompiledModuleCache does) against compiling the same instrumented bytes again.
/// </summary>
public class ArtifactLoadBenchmarks
{
    private BenchSandbox _sandbox = null!;
    private byte[] _instrumented = null!;
    private string _artifactPath = null!;

    [ParamsSource(nameof(Modules))]
    public string Module { get; set; } = Synthetic;

    /// <summary>A synthetic module of 512 KB, for a size where compiling clearly dominates.</summary>
    public const string Synthetic = "synthetic-512KB";

    public static IEnumerable<string> Modules =>
        BenchmarkModules.Available.Where(m => m != BenchmarkModules.NoOp).Append(Synthetic);

    [GlobalSetup]
    public void Setup()
    {
        _sandbox = new BenchSandbox(pooling: true);
        var bytes = Module == Synthetic ? BenchmarkModules.Synthetic(512) : BenchmarkModules.Bytes(Module);
        _instrumented = ModuleInstrumenter.Instrument(bytes) ?? bytes;
        _artifactPath = _sandbox.ArtifactPath(_sandbox.Store(bytes));
    }

    [GlobalCleanup]
    public void Cleanup() => _sandbox.Dispose();

    [Benchmark(Baseline = true)]
    public void Recompile()
    {
        using var module = Wasmtime.Module.FromBytes(_sandbox.Engine.Engine, Module, _instrumented);
    }

    [Benchmark]
    public void LoadArtifact()
    {
        // Read, not mapped, like the cache does.
        using var module = Wasmtime.Module.Deserialize(_sandbox.Engine.Engine, Module, File.ReadAllBytes(_artifactPath));
    }
}
