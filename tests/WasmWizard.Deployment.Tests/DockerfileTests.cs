using System.Text.RegularExpressions;
using WasmWizard.Deployment.Tests.Infrastructure;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Deployment.Tests;

/// <summary>
/// The Dockerfiles of the services: built in stages, run as a numeric non-root user on a glibc base, and listening
/// on the port dapr.yaml and the Kubernetes manifests expect. No image is built here (no Docker engine).
/// </summary>
public sealed partial class DockerfileTests
{
    public static TheoryData<string, string> Services => new()
    {
        { "api", "WasmWizard.Api" },
        { "executor", "WasmWizard.Executor" },
        { "audit", "WasmWizard.Audit" },
        { "standalone", "WasmWizard.Standalone" },
    };

    [Theory]
    [MemberData(nameof(Services))]
    public void Dockerfile_Image_IsMultiStageNonRootAndRunsTheService(string service, string assembly)
    {
        var file = Dockerfile.Load($"services/{service}/Dockerfile");

        Assert.True(file.Stages >= 2, $"{file.File}: build and runtime should be separate stages");
        Assert.Equal("1654", file.Last("USER"));
        Assert.Equal($"[\"dotnet\", \"{assembly}.dll\"]", file.Last("ENTRYPOINT"));
        Assert.True(File.Exists(Path.Combine(RepositoryLocation.Root, "services", service, $"{assembly}.csproj")));
        var runtime = file.ArgDefault("RUNTIME_IMAGE");
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:", runtime, StringComparison.Ordinal);
        // Wasmtime's native library needs glibc: no Alpine (musl) base.
        Assert.DoesNotContain("alpine", runtime, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(file.Instructions, i => i.Stage == 1 && i.Keyword == "RUN" && i.Arguments.StartsWith(
            $"dotnet publish services/{service}/{assembly}.csproj -c Release", StringComparison.Ordinal));
    }

    public static TheoryData<string> ServiceFolders => ["api", "executor", "audit", "standalone"];

    [Theory]
    [MemberData(nameof(ServiceFolders))]
    public void Dockerfile_EveryCopiedPath_ExistsAndIsNotIgnored(string service)
    {
        var file = Dockerfile.Load($"services/{service}/Dockerfile");
        var ignored = File.ReadAllLines(Path.Combine(RepositoryLocation.Root, ".dockerignore"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.TrimEnd('/'))
            .ToList();
        var copies = file.Instructions
            .Where(i => i.Keyword == "COPY" && !i.Arguments.StartsWith("--from", StringComparison.Ordinal));
        foreach (var copy in copies)
        {
            var sources = copy.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..^1];
            foreach (var source in sources.Select(s => s.TrimEnd('/')))
            {
                var path = Path.Combine(RepositoryLocation.Root, source);
                Assert.True(File.Exists(path) || Directory.Exists(path), $"{file.File}: COPY {source} does not exist");
                Assert.DoesNotContain(source, ignored);
            }
        }
    }

    [Theory]
    [InlineData("api")]
    [InlineData("executor")]
    [InlineData("audit")]
    public void Dockerfile_Port_AgreesWithRunFileAndManifests(string appId)
    {
        var file = Dockerfile.Load($"services/{appId}/Dockerfile");
        var runPort = RunFile.Load().App(appId)?.Node.Scalar("appPort");
        var deployment = KubeManifests.Resources("k8s/base").Single(o => o.Kind == "Deployment" && o.Name == appId);
        var container = new PodTemplate(deployment).Containers.Single();

        Assert.NotNull(runPort);
        Assert.Equal(runPort, file.Last("EXPOSE"));
        Assert.Equal(runPort, file.FinalEnvironment.GetValueOrDefault("ASPNETCORE_HTTP_PORTS"));
        Assert.True(PodTemplate.Declares(container, runPort), $"{deployment.Where}: container port is not {runPort}");
        Assert.Equal($"wasmwizard/{appId}", container.Scalar("image"));
    }

    [Fact]
    public void Dockerfile_Standalone_ListensOnEveryInterfaceOfItsPort()
    {
        // appsettings.json binds localhost for `dotnet run`; an unprefixed Urls outranks it in the container.
        var file = Dockerfile.Load("services/standalone/Dockerfile");
        var urls = file.FinalEnvironment.GetValueOrDefault("Urls");

        Assert.Equal("8080", file.Last("EXPOSE"));
        Assert.NotNull(urls);
        Assert.Matches(AnyInterface(), urls);
        Assert.Equal("/app/data", file.Last("VOLUME"));
    }

    [Fact]
    public void DockerIgnore_LeavesBuildOutputLocalDataAndHistoryOut()
    {
        var ignored = File.ReadAllLines(Path.Combine(RepositoryLocation.Root, ".dockerignore"));

        Assert.Contains("**/bin/", ignored);
        Assert.Contains("**/obj/", ignored);
        Assert.Contains("**/data/", ignored);
        Assert.Contains(".git/", ignored);
    }

    [GeneratedRegex("^http://(\\+|\\*|0\\.0\\.0\\.0|\\[::\\]):8080$")]
    private static partial Regex AnyInterface();
}
