using WasmWizard.Executor.Sandbox.Instrumentation;
using Wasmtime;

namespace WasmWizard.Executor.Tests.Sandbox.Instrumentation;

/// <summary>One instantiated module in its own capped store, as the executor would run it.</summary>
internal sealed class GuestRun : IDisposable
{
    private readonly Store _store;
    private readonly Module _module;
    private readonly Linker _linker;

    public GuestRun(byte[] wasm, Action<Linker, Store>? defineImports = null)
    {
        _store = new Store(WasmHost.Engine);
        _store.SetLimits(memorySize: WasmHost.MemoryCap);
        _module = Module.FromBytes(WasmHost.Engine, "guest", wasm);
        _linker = new Linker(WasmHost.Engine);
        defineImports?.Invoke(_linker, _store);
        Instance = _linker.Instantiate(_store, _module);
    }

    public Instance Instance { get; }

    public Module Module => _module;

    public long RefusedPages => ModuleInstrumenter.ReadRefusedGrowthPages(Instance);

    public bool GrowFailed => RefusedPages > 0;

    public object? Call(string export, params ValueBox[] arguments)
    {
        Function function = Instance.GetFunction(export) ?? throw new InvalidOperationException(export);
        return function.Invoke(arguments);
    }

    public byte[] MemorySnapshot()
    {
        Memory memory = Instance.GetMemory("memory") ?? throw new InvalidOperationException("no memory export");
        return memory.GetSpan(0, checked((int)memory.GetLength())).ToArray();
    }

    public void Dispose()
    {
        _linker.Dispose();
        _module.Dispose();
        _store.Dispose();
    }
}
