namespace WasmWizard.Tests.Shared;

/// <summary>
/// Finds the team's corpus of real WASI modules: <c>WASMWIZARD_CORPUS</c> when set, else <c>../shared/corpus</c>
/// beside the repository. Tests that need it skip, saying why, only when neither exists.
/// </summary>
public static class CorpusLocation
{
    /// <summary>The corpus folder (holding manifest.json), or null when there is none.</summary>
    public static string? Directory { get; } = Find();

    /// <summary>The folder of the corpus modules, or null.</summary>
    public static string? ModulesDirectory => Directory is null ? null : Path.Combine(Directory, "modules");

    /// <summary>Why corpus tests are skipped.</summary>
    public const string MissingReason =
        "The corpus is absent: set WASMWIZARD_CORPUS or place it at ../shared/corpus beside the repository.";

    private static string? Find()
    {
        var configured = Environment.GetEnvironmentVariable("WASMWIZARD_CORPUS");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return System.IO.Directory.Exists(configured) ? Path.GetFullPath(configured) : null;
        }

        var beside = Path.Combine(RepositoryLocation.Root, "..", "shared", "corpus");
        return File.Exists(Path.Combine(beside, "manifest.json")) ? Path.GetFullPath(beside) : null;
    }
}
