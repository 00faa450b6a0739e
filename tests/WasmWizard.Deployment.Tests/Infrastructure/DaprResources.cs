using WasmWizard.Tests.Shared;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace WasmWizard.Deployment.Tests.Infrastructure;

/// <summary>The Dapr YAML of the repository: each document under <c>components/</c>, and what each folder loads.</summary>
public static class DaprResources
{
    /// <summary>The folder of the Dapr resources, relative to the repository root.</summary>
    public const string Folder = "components";

    private static readonly Lazy<Loaded> s_all = new(() => LoadTree(Path.Combine(RepositoryLocation.Root, Folder)));

    /// <summary>Every document of every YAML file under <c>components/</c>, sub-folders included.</summary>
    public static IReadOnlyList<DaprResource> All => s_all.Value.Resources;

    /// <summary>Files under <c>components/</c> that are not valid YAML, each with the parser's complaint.</summary>
    public static IReadOnlyList<string> ParseErrors => s_all.Value.Errors;

    /// <summary>Resources of one kind, from every file.</summary>
    public static IEnumerable<DaprResource> OfKind(string kind) => All.Where(r => r.Kind == kind);

    /// <summary>
    /// What daprd loads from these folders: the YAML files at the top of each, not their sub-folders
    /// (dapr pkg/internal/loader/disk/manifest.go skips directories).
    /// </summary>
    public static IReadOnlyList<DaprResource> LoadedFrom(IEnumerable<string> absoluteFolders)
    {
        var loaded = new List<DaprResource>();
        foreach (var folder in absoluteFolders)
        {
            if (!Directory.Exists(folder))
            {
                continue;
            }

            var files = Directory.EnumerateFiles(folder).Where(IsYaml).Select(Path.GetFullPath).ToHashSet();
            loaded.AddRange(All.Where(r => files.Contains(Absolute(r.File))));
        }

        return loaded;
    }

    /// <summary>Parses one YAML file into its documents, or says why it cannot.</summary>
    public static (IReadOnlyList<YamlMappingNode> Documents, string? Error) Parse(string path)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = File.OpenText(path);
            stream.Load(reader);
        }
        catch (Exception e) when (e is YamlException or ArgumentException)
        {
            return ([], e.Message);
        }

        var documents = new List<YamlMappingNode>();
        foreach (var document in stream.Documents)
        {
            if (document.RootNode is not YamlMappingNode root)
            {
                return ([], $"document {documents.Count + 1} is not a mapping");
            }

            documents.Add(root);
        }

        return (documents, null);
    }

    /// <summary>The path of <paramref name="absolutePath"/> from the repository root, with forward slashes.</summary>
    public static string Relative(string absolutePath) =>
        Path.GetRelativePath(RepositoryLocation.Root, absolutePath).Replace('\\', '/');

    private static bool IsYaml(string path) =>
        path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase)
            || path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);

    private static string Absolute(string relativePath) =>
        Path.GetFullPath(Path.Combine(RepositoryLocation.Root, relativePath));

    /// <summary>
    /// Every document of every YAML file under <paramref name="folder"/> (absolute), sub-folders included, and the
    /// files that are not valid YAML, each with the parser's complaint.
    /// </summary>
    public static (IReadOnlyList<DaprResource> Documents, IReadOnlyList<string> Errors) ReadTree(string folder)
    {
        var loaded = LoadTree(folder);
        return (loaded.Resources, loaded.Errors);
    }

    private static Loaded LoadTree(string folder)
    {
        var resources = new List<DaprResource>();
        var errors = new List<string>();
        IEnumerable<string> files = Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                .Where(IsYaml)
                .Order(StringComparer.Ordinal)
            : [];
        foreach (var file in files)
        {
            var (documents, error) = Parse(file);
            if (error is not null)
            {
                errors.Add($"{Relative(file)}: {error}");
                continue;
            }

            resources.AddRange(documents.Select((root, i) => new DaprResource(Relative(file), i + 1, root)));
        }

        return new Loaded(resources, errors);
    }

    private sealed record Loaded(IReadOnlyList<DaprResource> Resources, IReadOnlyList<string> Errors);
}
