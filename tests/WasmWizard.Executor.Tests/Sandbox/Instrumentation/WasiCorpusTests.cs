using WasmWizard.Executor.Sandbox.Instrumentation;
using WasmWizard.Tests.Shared;
using Wasmtime;

namespace WasmWizard.Executor.Tests.Sandbox.Instrumentation;

/// <summary>Runs real WASI commands end to end, as the executor will, with and without instrumentation.</summary>
public sealed class WasiCorpusTests
{
    private static readonly string CorpusDirectory = CorpusLocation.ModulesDirectory ?? string.Empty;
    private const long GenerousCap = 512L * 1024 * 1024;

    [Fact]
    public void InstrumentedProgramBehavesIdentically()
    {
        SkipWithoutCorpus();
        byte[] original = File.ReadAllBytes(Path.Combine(CorpusDirectory, "wasm3-smallpt.wasm"));
        byte[] instrumented = WasmHost.Instrument(original);
        string[] args = ["wasm3-smallpt.wasm", "4", "16"];

        CommandResult before = RunCommand(original, args, GenerousCap);
        CommandResult after = RunCommand(instrumented, args, GenerousCap);

        // Stderr carries a timing line, so only the outcome, the rendered image and the flag are compared.
        Assert.Equal("exit 0", after.Outcome);
        Assert.StartsWith("P3\n16 16\n255\n", after.Stdout);
        Assert.Equal(before.Stdout, after.Stdout);
        Assert.False(after.GrowFailed);
    }

    [Fact]
    public void ProgramDeniedAnyGrowthFailsWithTheFlagSet()
    {
        SkipWithoutCorpus();
        // Zig's allocator grows memory as soon as it runs; denied, the program exits 1 instead of trapping, which
        // is why the executor must look at the flag for every failed run, not only for traps.
        byte[] original = File.ReadAllBytes(Path.Combine(CorpusDirectory, "wazero-wasi-zig.wasm"));
        byte[] instrumented = WasmHost.Instrument(original);
        long initialBytes;
        using (var module = Module.FromBytes(WasmHost.Engine, "probe", original))
        {
            initialBytes = module.Exports.OfType<MemoryExport>().Single().Minimum * WasmHost.PageSize;
        }

        CommandResult roomy = RunCommand(instrumented, ["wazero-wasi-zig.wasm", "stat"], GenerousCap);
        CommandResult capped = RunCommand(instrumented, ["wazero-wasi-zig.wasm", "stat"], initialBytes);

        Assert.Equal(
            new CommandResult(
                "exit 0",
                "stdin isatty: false\nstdout isatty: false\nstderr isatty: false\n/ isatty: false\n",
                string.Empty,
                GrowFailed: false),
            roomy);
        Assert.Equal("exit 1", capped.Outcome);
        Assert.True(capped.GrowFailed);
    }

    private static void SkipWithoutCorpus()
    {
        if (CorpusLocation.ModulesDirectory is null)
        {
            Assert.Skip(CorpusLocation.MissingReason);
        }
    }

    private static CommandResult RunCommand(byte[] wasm, string[] args, long memoryCap)
    {
        string directory = Directory.CreateTempSubdirectory("wasmwizard-instrument-").FullName;
        try
        {
            string stdout = Path.Combine(directory, "stdout");
            string stderr = Path.Combine(directory, "stderr");
            using var store = new Store(WasmHost.Engine);
            store.SetLimits(memorySize: memoryCap);
            store.SetWasiConfiguration(new WasiConfiguration()
                .WithArgs(args)
                .WithStandardOutput(stdout)
                .WithStandardError(stderr));
            using var module = Module.FromBytes(WasmHost.Engine, args[0], wasm);
            using var linker = new Linker(WasmHost.Engine);
            linker.DefineWasi();
            Instance instance = linker.Instantiate(store, module);

            string outcome;
            try
            {
                instance.GetFunction("_start")!.Invoke();
                outcome = "exit 0";
            }
            catch (WasmtimeException error)
            {
                outcome = error.ExitCode is int code ? $"exit {code}" : $"trap {error.GetType().Name}";
            }

            return new CommandResult(
                outcome,
                File.ReadAllText(stdout),
                File.ReadAllText(stderr),
                ModuleInstrumenter.ReadRefusedGrowthPages(instance) > 0);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private sealed record CommandResult(string Outcome, string Stdout, string Stderr, bool GrowFailed);
}
