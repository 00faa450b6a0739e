using WasmWizard.Tests.Shared;
using YamlDotNet.RepresentationModel;

namespace WasmWizard.Deployment.Tests.Infrastructure;

/// <summary>
/// The Multi-App Run file (<c>dapr.yaml</c>) as the Dapr CLI reads it: which keys it knows, and how it resolves each
/// app's paths, resources and configuration (dapr/cli pkg/runfileconfig/run_file_config_parser.go; DAPR-NOTES §1).
/// </summary>
public sealed class RunFile
{
    /// <summary>The file name, at the repository root.</summary>
    public const string FileName = "dapr.yaml";

    /// <summary>Keys the CLI knows at the top level.</summary>
    public static readonly IReadOnlySet<string> TopLevelKeys = new HashSet<string>(StringComparer.Ordinal)
    {
        "version", "name", "common", "apps",
    };

    /// <summary>Keys the CLI knows only inside an app.</summary>
    public static readonly IReadOnlySet<string> AppOnlyKeys = new HashSet<string>(StringComparer.Ordinal)
    {
        "appID", "appDirPath", "appPort", "appChannelAddress", "daprHTTPPort", "daprGRPCPort", "daprInternalGRPCPort",
        "metricsPort", "profilePort", "unixDomainSocket", "command",
    };

    /// <summary>Keys the CLI knows in <c>common</c> and in each app.</summary>
    public static readonly IReadOnlySet<string> SharedKeys = new HashSet<string>(StringComparer.Ordinal)
    {
        "configFilePath", "appProtocol", "resourcesPaths", "resourcesPath", "logLevel", "appMaxConcurrency",
        "placementHostAddress", "schedulerHostAddress", "enableApiLogging", "enableAppHealthCheck",
        "appHealthCheckPath",
        "appHealthProbeInterval", "appHealthProbeTimeout", "appHealthThreshold", "maxBodySize", "readBufferSize",
        "runtimePath", "env", "appLogDestination", "daprdLogDestination", "apiListenAddresses",
    };

    private RunFile(YamlMappingNode root, IReadOnlyList<RunFileApp> apps)
    {
        Root = root;
        Apps = apps;
    }

    /// <summary>The whole document.</summary>
    public YamlMappingNode Root { get; }

    /// <summary>The <c>common</c> section, or null.</summary>
    public YamlMappingNode? Common => Root.Mapping("common");

    /// <summary>The apps, in file order.</summary>
    public IReadOnlyList<RunFileApp> Apps { get; }

    /// <summary>Reads <c>dapr.yaml</c> at the repository root; fails the test when it is missing or not YAML.</summary>
    public static RunFile Load()
    {
        var path = Path.Combine(RepositoryLocation.Root, FileName);
        Assert.True(File.Exists(path), $"{FileName}: missing at the repository root.");
        var (documents, error) = DaprResources.Parse(path);
        Assert.True(error is null, $"{FileName}: not valid YAML: {error}");
        Assert.True(documents.Count == 1, $"{FileName}: holds {documents.Count} documents; the CLI reads one.");
        var root = documents[0];
        var apps = (root.Sequence("apps")?.Children ?? [])
            .OfType<YamlMappingNode>()
            .Select((app, i) => new RunFileApp(i, app, root.Mapping("common")))
            .ToList();
        return new RunFile(root, apps);
    }

    /// <summary>The app with <paramref name="appId"/>, or null.</summary>
    public RunFileApp? App(string appId) => Apps.FirstOrDefault(a => a.AppId == appId);

    /// <summary>
    /// The resources folders an app's sidecar reads, in the CLI's order of precedence: the app's own
    /// <c>resourcesPaths</c>, else <c>&lt;appDirPath&gt;/.dapr/resources</c> when it exists, else <c>common</c>'s.
    /// </summary>
    public IReadOnlyList<string> ResourcesFolders(RunFileApp app)
    {
        var own = app.Node.Sequence("resourcesPaths").Scalars();
        if (own.Count > 0)
        {
            return own.Select(p => Path.GetFullPath(Path.Combine(app.DirPath, p))).ToList();
        }

        var local = Path.Combine(app.DirPath, ".dapr", "resources");
        if (Directory.Exists(local))
        {
            return [local];
        }

        return Common.Sequence("resourcesPaths").Scalars()
            .Select(p => Path.GetFullPath(Path.Combine(RepositoryLocation.Root, p)))
            .ToList();
    }

    /// <summary>The resources an app's sidecar loads: those in its folders scoped to it (or not scoped).</summary>
    public IReadOnlyList<DaprResource> ResourcesOf(RunFileApp app) =>
        DaprResources.LoadedFrom(ResourcesFolders(app)).Where(r => app.AppId is { } id && r.AppliesTo(id)).ToList();

    /// <summary>
    /// The configuration file an app's sidecar gets, in the CLI's order: the app's <c>configFilePath</c>, else
    /// <c>&lt;appDirPath&gt;/.dapr/config.yaml</c> when it exists, else <c>common</c>'s; null when none is named.
    /// </summary>
    public string? ConfigFile(RunFileApp app)
    {
        if (app.Node.Scalar("configFilePath") is { Length: > 0 } own)
        {
            return Path.GetFullPath(Path.Combine(app.DirPath, own));
        }

        var local = Path.Combine(app.DirPath, ".dapr", "config.yaml");
        if (File.Exists(local))
        {
            return local;
        }

        return Common.Scalar("configFilePath") is { Length: > 0 } shared
            ? Path.GetFullPath(Path.Combine(RepositoryLocation.Root, shared))
            : null;
    }
}
