using System.Globalization;
using WasmWizard.Deployment.Tests.Infrastructure;
using WasmWizard.Shared.Dapr;
using YamlDotNet.RepresentationModel;

namespace WasmWizard.Deployment.Tests;

/// <summary>
/// <c>dapr.yaml</c> against what the Dapr CLI accepts (DAPR-NOTES §1) and what the code expects. The CLI ignores
/// keys it does not know without a word, so a misspelt or renamed key (daprHTTPMaxRequestSize) would simply not
/// apply; these tests are the only place such a mistake shows.
/// </summary>
public sealed class RunFileTests
{
    private const string F = RunFile.FileName;
    private static readonly long SixteenMebibytes = 16L << 20;

    [Fact]
    public void RunFile_EveryKey_IsOneTheCliKnows()
    {
        var run = RunFile.Load();
        var problems = new Problems();
        foreach (var key in run.Root.Keys().Where(k => !RunFile.TopLevelKeys.Contains(k)))
        {
            problems.Add(F, key, "not a key the Dapr CLI reads; it would be ignored silently");
        }

        foreach (var key in run.Common.Keys().Where(k => !RunFile.SharedKeys.Contains(k)))
        {
            problems.Add(F, $"common.{key}", RunFile.AppOnlyKeys.Contains(key)
                ? "only valid inside an app; in common the CLI ignores it"
                : "not a key the Dapr CLI reads; it would be ignored silently");
        }

        foreach (var app in run.Apps)
        {
            var unknown = app.Node.Keys().Where(k => !RunFile.SharedKeys.Contains(k) && !RunFile.AppOnlyKeys.Contains(k));
            foreach (var key in unknown)
            {
                problems.Add(F, $"{app.Key}.{key}", "not a key the Dapr CLI reads; it would be ignored silently");
            }
        }

        problems.AssertNone();
    }

    [Fact]
    public void RunFile_VersionAndApps_AreTheThreeServices()
    {
        var run = RunFile.Load();
        var problems = new Problems();
        problems.Check(
            run.Root.Scalar("version") == "1",
            F,
            "version",
            "must be 1 (the CLI refuses a file without it)");
        problems.Check(run.Root.Child("apps") is YamlSequenceNode, F, "apps", "must be a list of apps");
        foreach (var app in run.Apps)
        {
            problems.Check(
                app.AppId is { } id && KnownApps.Ids.Contains(id),
                F,
                $"{app.Key}.appID",
                $"must be one of DaprNames' app ids ({string.Join(", ", KnownApps.Ids)}); "
                    + "without it the CLI uses the folder name");
        }

        foreach (var id in KnownApps.Ids)
        {
            var count = run.Apps.Count(a => a.AppId == id);
            problems.Check(count == 1, F, "apps", $"app id {id} appears {count} times; expected once");
        }

        problems.AssertNone();
    }

    [Fact]
    public void RunFile_EveryPath_Exists()
    {
        var run = RunFile.Load();
        var problems = new Problems();
        problems.Check(
            run.Common.Child("resourcesPath") is null,
            F,
            "common.resourcesPath",
            "deprecated; use resourcesPaths");
        CheckFolders(problems, "common.resourcesPaths", run.Common, Root);
        CheckFile(problems, "common.configFilePath", run.Common.Scalar("configFilePath"), Root);
        foreach (var app in run.Apps)
        {
            var dir = app.Node.Scalar("appDirPath");
            problems.Check(
                dir is not null && Directory.Exists(app.DirPath),
                F,
                $"{app.Key}.appDirPath",
                $"folder {dir ?? "(none)"} does not exist; the CLI aborts the whole run");
            problems.Check(
                app.Node.Child("resourcesPath") is null,
                F,
                $"{app.Key}.resourcesPath",
                "deprecated; use resourcesPaths");
            CheckFolders(problems, $"{app.Key}.resourcesPaths", app.Node, app.DirPath);
            CheckFile(problems, $"{app.Key}.configFilePath", app.Node.Scalar("configFilePath"), app.DirPath);
        }

        problems.AssertNone();
    }

    [Fact]
    public void RunFile_EveryAppDir_HoldsOneRunnableProject()
    {
        var run = RunFile.Load();
        var problems = new Problems();
        foreach (var app in run.Apps.Where(a => Directory.Exists(a.DirPath)))
        {
            var projects = Directory.GetFiles(app.DirPath, "*.csproj");
            if (projects.Length != 1)
            {
                problems.Add(
                    F,
                    $"{app.Key}.appDirPath",
                    $"holds {projects.Length} projects; `dotnet run` there needs exactly one");
                continue;
            }

            var project = File.ReadAllText(projects[0]);
            problems.Check(
                project.Contains("Sdk=\"Microsoft.NET.Sdk.Web\"", StringComparison.Ordinal)
                    || project.Contains("<OutputType>Exe</OutputType>", StringComparison.Ordinal),
                F,
                $"{app.Key}.appDirPath",
                $"{DaprResources.Relative(projects[0])} is a library, not a host: `dotnet run` cannot start it");
        }

        problems.AssertNone();
    }

    [Fact]
    public void RunFile_MaxBodySize_CarriesAModuleOnEverySidecar()
    {
        var run = RunFile.Load();
        var problems = new Problems();
        var clientLimit = new DaprSidecarOptions().MaxGrpcMessageBytes;
        foreach (var app in run.Apps)
        {
            var text = app.Shared("maxBodySize");
            var bytes = ByteQuantity.TryParse(text);
            var key = $"{app.Key}.maxBodySize (or common.maxBodySize)";
            if (bytes is null)
            {
                problems.Add(
                    F,
                    key,
                    $"\"{text ?? "(unset: 4Mi)"}\" is not a size such as 32Mi; a 16 MiB module needs more than 4Mi");
                continue;
            }

            problems.Check(bytes >= SixteenMebibytes, F, key, $"{text} is less than 16Mi, the largest module");
            problems.Check(
                bytes >= clientLimit,
                F,
                key,
                $"{text} is less than Dapr:MaxGrpcMessageBytes ({clientLimit} bytes): "
                    + "the sidecar would refuse what the client sends");
        }

        problems.AssertNone();
    }

    [Fact]
    public void RunFile_Apps_ListenWhereTheirSidecarsLook()
    {
        var run = RunFile.Load();
        var problems = new Problems();
        var ports = new Dictionary<int, string>();
        foreach (var app in run.Apps)
        {
            var command = app.Node.Child("command") as YamlSequenceNode;
            var args = command.Scalars();
            problems.Check(
                command is not null,
                F,
                $"{app.Key}.command",
                "must be a list of strings (the CLI takes no single command string)");
            problems.Check(
                args.Take(2).SequenceEqual(["dotnet", "run"]),
                F,
                $"{app.Key}.command",
                "must start with dotnet run");
            problems.Check(
                args.Contains("--no-launch-profile"),
                F,
                $"{app.Key}.command",
                "needs --no-launch-profile, or launchSettings.json may pick the port");

            var appPort = app.Node.Scalar("appPort");
            var urls = args.SkipWhile(a => a != "--urls").Skip(1).FirstOrDefault();
            problems.Check(
                urls is not null && appPort is not null && urls.EndsWith(":" + appPort, StringComparison.Ordinal),
                F,
                $"{app.Key}.command",
                $"--urls {urls ?? "(missing)"} must end in appPort {appPort ?? "(missing)"}: "
                    + "ASP.NET Core ignores APP_PORT");

            foreach (var key in new[] { "appPort", "daprHTTPPort", "daprGRPCPort" })
            {
                if (app.Node.Scalar(key) is not { } text)
                {
                    continue;
                }

                var valid = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port);
                if (!valid || port is < 1 or > 65535)
                {
                    problems.Add(F, $"{app.Key}.{key}", $"\"{text}\" is not a port");
                }
                else if (!ports.TryAdd(port, $"{app.Key}.{key}"))
                {
                    problems.Add(F, $"{app.Key}.{key}", $"port {port} is already {ports[port]}");
                }
            }
        }

        problems.AssertNone();
    }

    private static string Root => WasmWizard.Tests.Shared.RepositoryLocation.Root;

    private static void CheckFolders(Problems problems, string key, YamlMappingNode? section, string baseDir)
    {
        var node = section.Child("resourcesPaths");
        if (node is null)
        {
            return;
        }

        if (node is not YamlSequenceNode list)
        {
            problems.Add(F, key, "must be a YAML list; the CLI reads it into a list of strings");
            return;
        }

        foreach (var path in list.Scalars())
        {
            var full = Path.GetFullPath(Path.Combine(baseDir, path));
            problems.Check(
                Directory.Exists(full),
                F,
                key,
                $"folder {path} does not exist (relative to {DaprResources.Relative(baseDir)}/)");
        }
    }

    private static void CheckFile(Problems problems, string key, string? path, string baseDir)
    {
        if (path is null)
        {
            return;
        }

        problems.Check(
            File.Exists(Path.GetFullPath(Path.Combine(baseDir, path))),
            F,
            key,
            $"file {path} does not exist (relative to {DaprResources.Relative(baseDir)}/)");
    }
}
