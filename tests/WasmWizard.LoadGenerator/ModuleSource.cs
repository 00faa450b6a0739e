using WasmWizard.Tests.Shared;

namespace WasmWizard.LoadGenerator;

/// <summary>The module a mode runs: <c>--module PATH</c>, or the corpus' hello world when none is given.</summary>
public static class ModuleSource
{
    public const string HelloWorld = "wasmwizard-hello_world.wasm";

    public static async Task<(byte[] Bytes, string Name)> LoadAsync(LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var path = options.Single("module") ?? DefaultPath();
        return (await File.ReadAllBytesAsync(path).ConfigureAwait(false), Path.GetFileName(path));
    }

    private static string DefaultPath()
    {
        string? modules;
        try
        {
            modules = CorpusLocation.ModulesDirectory;
        }
        catch (InvalidOperationException)
        {
            // Run from outside the repository, where ../shared/corpus means nothing.
            modules = null;
        }

        return modules is not null && File.Exists(Path.Combine(modules, HelloWorld))
            ? Path.Combine(modules, HelloWorld)
            : throw new ArgumentException(
                $"No --module given and the corpus' {HelloWorld} was not found: " + CorpusLocation.MissingReason);
    }
}
