using BenchmarkDotNet.Attributes;
using WasmWizard.Executor.Sandbox.Instrumentation;

namespace WasmWizard.Benchmarks;

/// <summary>
/// Compiling a module on the service's engine, at a few sizes; the PerKB column divides the mean by the size.
/// It compiles what the compiler process compiles (the instrumented bytes), in this process, so the figure is
/// the compile itself, without the process start that the service adds to every first upload.
/// </summary>
[Config(typeof(PerKilobyteConfig))]
public class CompileBenchmarks
{
    private BenchSandbox _sandbox = null!;
    private byte[] _instrumented = null!;

    [Params(4, 64, 512)]
    public int SizeKb { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _sandbox = new BenchSandbox(pooling: true);
        var bytes = BenchmarkModules.Synthetic(SizeKb);
        _instrumented = ModuleInstrumenter.Instrument(bytes) ?? bytes;
    }

    [GlobalCleanup]
    public void Cleanup() => _sandbox.Dispose();

    [Benchmark]
    public void Compile()
    {
        using var module = Wasmtime.Module.FromBytes(_sandbox.Engine.Engine, "synthetic", _instrumented);
    }
}
