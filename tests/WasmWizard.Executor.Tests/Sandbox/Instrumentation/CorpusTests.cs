using WasmWizard.Executor.Sandbox.Instrumentation;
using WasmWizard.Tests.Shared;
using Wasmtime;

namespace WasmWizard.Executor.Tests.Sandbox.Instrumentation;

/// <summary>Real modules from Rust, C, TinyGo, Zig and AssemblyScript toolchains must stay valid.</summary>
public sealed class CorpusTests
{
    private static readonly string CorpusDirectory = CorpusLocation.ModulesDirectory ?? string.Empty;

    public static TheoryData<string> Modules => CorpusLocation.ModulesDirectory is null
        ? ["(corpus absent: set WASMWIZARD_CORPUS or put it at ../shared/corpus)"]
        : [.. Directory.GetFiles(CorpusDirectory, "*.wasm").Select(path => Path.GetFileName(path)).Order()];

    [Theory]
    [MemberData(nameof(Modules))]
    public void InstrumentedModuleStillValidates(string fileName)
    {
        if (CorpusLocation.ModulesDirectory is null)
        {
            Assert.Skip(CorpusLocation.MissingReason);
        }

        byte[] original = File.ReadAllBytes(Path.Combine(CorpusDirectory, fileName));
        string? originalError = Module.Validate(WasmHost.Engine, original);
        if (originalError is not null)
        {
            Assert.Skip($"the original does not validate with this engine: {originalError}");
        }

        byte[]? instrumented = ModuleInstrumenter.Instrument(original);
        TestContext.Current.TestOutputHelper?.WriteLine(
            instrumented is null
                ? "nothing to instrument"
                : $"instrumented: {original.Length} -> {instrumented.Length} bytes");
        if (instrumented is null)
        {
            return;
        }

        Assert.Null(Module.Validate(WasmHost.Engine, instrumented));
        using var compiled = Module.FromBytes(WasmHost.Engine, fileName, instrumented);
        Assert.Contains(compiled.Exports, export => export.Name == ModuleInstrumenter.FlagExportName);
    }
}
