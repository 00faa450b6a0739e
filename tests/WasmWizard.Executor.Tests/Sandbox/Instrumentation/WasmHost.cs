using WasmWizard.Executor.Sandbox.Instrumentation;
using Wasmtime;

namespace WasmWizard.Executor.Tests.Sandbox.Instrumentation;

/// <summary>Engine and helpers shared by the tests; the engine mirrors the executor's feature set.</summary>
internal static class WasmHost
{
    public const int PageSize = 65536;

    /// <summary>The memory cap every test store gets: four pages.</summary>
    public const long MemoryCap = 4 * PageSize;

    public static Engine Engine { get; } = CreateEngine();

    public static Engine CreateEngine() => new(new Config()
        .WithMultiValue(true)
        .WithBulkMemory(true)
        .WithReferenceTypes(true)
        .WithSIMD(true)
        .WithRelaxedSIMD(true, true)
        .WithTailCalls(true)
        .WithWasmThreads(false)
        .WithMultiMemory(false)
        .WithMemory64(false)
        .WithGc(false)
        .WithFunctionReferences(false)
        .WithExceptions(false));

    public static byte[] Wat(string text) => Module.ConvertText(text);

    /// <summary>Instruments a module that is known to contain memory.grow, checking the result validates.</summary>
    public static byte[] Instrument(byte[] original)
    {
        Assert.Null(Module.Validate(Engine, original));
        byte[]? instrumented = ModuleInstrumenter.Instrument(original);
        Assert.NotNull(instrumented);
        Assert.Null(Module.Validate(Engine, instrumented));
        return instrumented;
    }
}
