using WasmWizard.Executor.Tests.Sandbox.Instrumentation;
using Wasmtime;

namespace WasmWizard.Executor.Tests.Sandbox.Wasi;

/// <summary>
/// Runs a command under Wasmtime's own WASI and nothing of ours, stdout and stderr captured to files: the reference
/// the sandbox's WASI shims are compared with.
/// </summary>
internal static class PlainWasi
{
    public static GuestObservation Run(
        byte[] wasm,
        IReadOnlyList<string> argv,
        IReadOnlyList<KeyValuePair<string, string>>? env = null,
        byte[]? stdin = null,
        long memoryLimit = 128L * 1024 * 1024)
    {
        var directory = Directory.CreateTempSubdirectory("ww-plain-wasi-").FullName;
        try
        {
            var stdout = Path.Combine(directory, "stdout");
            var stderr = Path.Combine(directory, "stderr");
            var wasi = new WasiConfiguration()
                .WithArgs(argv)
                .WithEnvironmentVariables((env ?? []).Select(e => (e.Key, e.Value)))
                .WithStandardOutput(stdout)
                .WithStandardError(stderr);
            if (stdin is { Length: > 0 })
            {
                var input = Path.Combine(directory, "stdin");
                File.WriteAllBytes(input, stdin);
                wasi.WithStandardInput(input);
            }

            using var store = new Store(WasmHost.Engine);
            store.SetLimits(memorySize: memoryLimit);
            store.SetWasiConfiguration(wasi);
            using var module = Module.FromBytes(WasmHost.Engine, argv[0], wasm);
            using var linker = new Linker(WasmHost.Engine);
            linker.DefineWasi();
            var outcome = Start(linker, store, module);
            return new GuestObservation(outcome, File.ReadAllBytes(stdout), false, File.ReadAllBytes(stderr), false);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string Start(Linker linker, Store store, Module module)
    {
        try
        {
            linker.Instantiate(store, module).GetAction("_start")!();
            return "exit 0";
        }
        catch (WasmtimeException e)
        {
            return e.ExitCode is int code ? $"exit {code}" : "trap";
        }
    }
}
