using BenchmarkDotNet.Attributes;
using Wasmtime;
using WasmWizard.Executor.Sandbox;
using WasmWizard.Shared.Contracts;

namespace WasmWizard.Benchmarks;

/// <summary>
/// One run of an already compiled module: a bare Wasmtime loop (the baseline) against a cached run through the
/// service's SandboxService, guest-thread hand-off included, and instantiation alone. The bare loop runs on the
/// service's own engine, so pooling, fuel metering and epoch checks cost both sides the same.
/// </summary>
public class SandboxRunBenchmarks
{
    // What the service gives a run without a fuel budget; the engine meters fuel, so a store needs some.
    private const ulong UnmeteredFuel = long.MaxValue;

    // Far beyond any run here (the ticker adds one every 10 ms); the engine traps a store that has no deadline.
    private const ulong EpochTicks = 1_000_000;

    private BenchSandbox _sandbox = null!;
    private Linker _bareLinker = null!;
    private Module _bareModule = null!;
    private RunRequest _request = null!;
    private CompiledModule _compiled = null!;

    [ParamsSource(nameof(Modules))]
    public string Module { get; set; } = BenchmarkModules.NoOp;

    /// <summary>The pooling allocator is the service's default; without it shows what pooling buys.</summary>
    [Params(true, false)]
    public bool Pooling { get; set; }

    public static IEnumerable<string> Modules => BenchmarkModules.Available;

    [GlobalSetup]
    public void Setup()
    {
        _sandbox = new BenchSandbox(Pooling);
        var bytes = BenchmarkModules.Bytes(Module);
        var sha256 = _sandbox.Store(bytes);
        _request = new RunRequest(sha256, null, Module + ".wasm", [], [], [], BenchSandbox.DefaultLimits);
        _compiled = _sandbox.Compiled(sha256);

        var engine = _sandbox.Engine.Engine;
        _bareLinker = new Linker(engine);
        _bareLinker.DefineWasi();
        _bareModule = Wasmtime.Module.FromBytes(engine, Module, bytes);

        var result = SandboxCachedRun().GetAwaiter().GetResult();
        if (result.Outcome != ExecutionOutcome.Exited || result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Module} did not run cleanly in the sandbox: {result.Outcome}.");
        }

        BareWasmtimeLoop();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _bareModule.Dispose();
        _bareLinker.Dispose();
        _sandbox.Dispose();
    }

    /// <summary>New store, WASI configuration, instantiate, <c>_start</c>: nothing else.</summary>
    [Benchmark(Baseline = true)]
    public void BareWasmtimeLoop()
    {
        using var store = NewStore();
        var start = _bareLinker.Instantiate(store, _bareModule).GetAction("_start")!;
        try
        {
            start();
        }
        catch (WasmtimeException e) when (e.ExitCode == 0)
        {
            // proc_exit(0) is a clean end, as in the service.
        }
    }

    /// <summary>The bare loop without <c>_start</c>: what instantiation alone costs.</summary>
    [Benchmark]
    public void BareInstantiateOnly()
    {
        using var store = NewStore();
        _ = _bareLinker.Instantiate(store, _bareModule);
    }

    /// <summary>A run of the cached module through the service: checks, guest thread, limits, output capture.</summary>
    [Benchmark]
    public Task<RunResult> SandboxCachedRun() => _sandbox.Sandbox.RunAsync(_request, CancellationToken.None);

    /// <summary>
    /// What a guest thread does for one run (store, limits, WASI, output capture, instantiate, <c>_start</c>), on the
    /// benchmark's own thread: the gap to <see cref="SandboxCachedRun"/> is the hand-off and the request checks.
    /// </summary>
    [Benchmark]
    public RunResult SandboxRunOnCallingThread()
    {
        var (result, teardown) = _sandbox.Invoker.Invoke(_compiled, _request, default, CancellationToken.None);
        teardown.Dispose();
        return result;
    }

    /// <summary>
    /// <see cref="SandboxCachedRun"/> with a caller that spins until the run is done instead of sleeping. Not what a
    /// target measures (no real caller spins): it shows how much of the hand-off is waking a caller that fell asleep.
    /// </summary>
    [Benchmark]
    public RunResult SandboxCachedRunSpinningCaller()
    {
        var run = _sandbox.Sandbox.RunAsync(_request, CancellationToken.None);
        while (!run.IsCompleted)
        {
            Thread.SpinWait(20);
        }

        return run.GetAwaiter().GetResult();
    }

    private Store NewStore()
    {
        var store = new Store(_sandbox.Engine.Engine);
        if (_sandbox.Engine.FuelEnabled)
        {
            store.Fuel = UnmeteredFuel;
        }

        store.SetEpochDeadline(EpochTicks);
        store.SetWasiConfiguration(new WasiConfiguration().WithArgs(Module + ".wasm"));
        return store;
    }
}
