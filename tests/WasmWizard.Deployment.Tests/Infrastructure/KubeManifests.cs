using System.Diagnostics;
using WasmWizard.Tests.Shared;
using YamlDotNet.RepresentationModel;

namespace WasmWizard.Deployment.Tests.Infrastructure;

/// <summary>
/// The Kubernetes manifests under <c>k8s/</c>: every document of every file, what each kustomization builds from its
/// <c>resources</c> (before patches, without kubectl), and the output of <c>kubectl kustomize</c> when kubectl is
/// installed.
/// </summary>
public static class KubeManifests
{
    /// <summary>The folder of the manifests, relative to the repository root.</summary>
    public const string Folder = "k8s";

    /// <summary>The file that makes a folder a kustomization.</summary>
    public const string KustomizationFile = "kustomization.yaml";

    private static readonly Lazy<(IReadOnlyList<DaprResource> Documents, IReadOnlyList<string> Errors)> s_all =
        new(() => DaprResources.ReadTree(Path.Combine(RepositoryLocation.Root, Folder)));

    /// <summary>The overlays an operator applies, relative to the repository root.</summary>
    public static IReadOnlyList<string> Overlays { get; } = ["k8s/overlays/dev", "k8s/overlays/prod"];

    /// <summary>Every document of every YAML file under <c>k8s/</c>, patches and kustomizations included.</summary>
    public static IReadOnlyList<DaprResource> All => s_all.Value.Documents;

    /// <summary>Files under <c>k8s/</c> that are not valid YAML, each with the parser's complaint.</summary>
    public static IReadOnlyList<string> ParseErrors => s_all.Value.Errors;

    /// <summary>Every folder under <c>k8s/</c> holding a kustomization, relative to the repository root.</summary>
    public static IReadOnlyList<string> Kustomizations =>
        All.Where(d => d.Kind == "Kustomization")
            .Select(d => Path.GetDirectoryName(d.File)!.Replace('\\', '/'))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>The kustomization of <paramref name="folder"/> (relative to the repository root), or null.</summary>
    public static DaprResource? Kustomization(string folder) =>
        All.FirstOrDefault(d => d.File == $"{folder}/{KustomizationFile}");

    /// <summary>
    /// The objects <paramref name="folder"/>'s kustomization lists under <c>resources</c>, following folders into
    /// their own kustomizations: what kustomize builds before it patches, names and transforms anything.
    /// </summary>
    public static IReadOnlyList<DaprResource> Resources(string folder)
    {
        var kustomization = Kustomization(folder);
        if (kustomization is null)
        {
            return [];
        }

        var objects = new List<DaprResource>();
        foreach (var entry in kustomization.Root.Sequence("resources").Scalars())
        {
            var path = Normalize($"{folder}/{entry}");
            objects.AddRange(Kustomization(path) is not null ? Resources(path) : All.Where(d => d.File == path));
        }

        return objects;
    }

    /// <summary>The path of kubectl when it is on PATH, else null.</summary>
    public static string? Kubectl { get; } = FindOnPath("kubectl");

    /// <summary>
    /// The objects <c>kubectl kustomize</c> renders for <paramref name="folder"/>, or why it could not. Fails the
    /// test when kubectl is missing; callers skip first.
    /// </summary>
    public static (IReadOnlyList<DaprResource> Documents, string? Error) Render(string folder)
    {
        Assert.NotNull(Kubectl);
        var start = new ProcessStartInfo(Kubectl, ["kustomize", Path.Combine(RepositoryLocation.Root, folder)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            return ([], $"kubectl kustomize exited {process.ExitCode}: {errors}");
        }

        var stream = new YamlStream();
        stream.Load(new StringReader(output.Result));
        var documents = stream.Documents
            .Select(d => d.RootNode)
            .OfType<YamlMappingNode>()
            .Select((root, i) => new DaprResource($"{folder} (rendered)", i + 1, root))
            .ToList();
        return (documents, null);
    }

    /// <summary>Resolves "." and ".." in a relative path with forward slashes.</summary>
    public static string Normalize(string relativePath)
    {
        var parts = new List<string>();
        foreach (var part in relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }
            }
            else if (part != ".")
            {
                parts.Add(part);
            }
        }

        return string.Join('/', parts);
    }

    private static string? FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, tool))
            .FirstOrDefault(File.Exists);
}
