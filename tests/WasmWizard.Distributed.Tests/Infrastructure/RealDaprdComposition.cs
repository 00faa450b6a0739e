using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using WasmWizard.Api.Hosting;
using WasmWizard.Audit.Hosting;
using WasmWizard.Executor.Hosting;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Dapr;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Distributed.Tests.Infrastructure;

/// <summary>
/// The three services beside real <c>daprd</c> sidecars, with a real Redis and the placement service, when this
/// machine has them (<c>dapr init</c> puts daprd and placement in ~/.dapr/bin). Where it does not, every scenario is
/// skipped, saying why.
/// </summary>
/// <remarks>
/// The machines this project is built on cannot install daprd, so this composition has not been run there: it is
/// written from DAPR-NOTES.md and the daprd command line, for the team's machines that have Dapr.
/// </remarks>
public sealed class RealDaprdComposition : IComposition
{
    private readonly string _data = Directory.CreateTempSubdirectory("ww-daprd-").FullName;
    private readonly List<Process> _processes = [];
    private readonly List<IAsyncDisposable> _hosts = [];
    private WebApplicationFactory<ApiProgram>? _api;
    private WebApplicationFactory<AuditProgram>? _audit;

    /// <inheritdoc />
    public string? SkipReason { get; private set; }

    /// <inheritdoc />
    public string AdminKey { get; private set; } = "";

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        var daprd = Find("daprd");
        var placement = Find("placement");
        var redis = Environment.GetEnvironmentVariable("REDIS_CONNECTION");
        var redisServer = Find("redis-server");
        SkipReason = (daprd, placement, redis ?? redisServer) switch
        {
            (null, _, _) => "daprd is not on PATH (nor in ~/.dapr/bin): the real-sidecar suite needs `dapr init`.",
            (_, null, _) => "the Dapr placement service is not on PATH (nor in ~/.dapr/bin): actors need it.",
            (_, _, null) => "neither REDIS_CONNECTION nor redis-server is available for the state store and pub/sub.",
            _ => null,
        };
        if (SkipReason is not null)
        {
            return;
        }

        if (redis is null)
        {
            var redisPort = FreePort();
            Start(
                redisServer!, "--bind", "127.0.0.1", "--port", $"{redisPort}", "--save", "", "--appendonly", "no", "--dir", _data);
            redis = $"127.0.0.1:{redisPort}";
        }

        var placementPort = FreePort();
        Start(placement!, "--port", $"{placementPort}", "--healthz-port", $"{FreePort()}", "--metrics-port", $"{FreePort()}");
        var components = WriteComponents(redis);

        _audit = await StartServiceAsync<AuditProgram>(
            daprd!, components, placementPort, DaprNames.AuditAppId, ("Audit:DatabasePath", Path.Combine(_data, "audit.db")));
        await StartServiceAsync<ExecutorProgram>(
            daprd!,
            components,
            placementPort,
            DaprNames.ExecutorAppId,
            ("Sandbox:CompiledCacheDirectory", Path.Combine(_data, "compiled")));
        var adminKeyFile = Path.Combine(_data, "api", "admin-api-key");
        _api = await StartServiceAsync<ApiProgram>(
            daprd!, components, placementPort, DaprNames.ApiAppId, ("Api:AdminKeyFile", adminKeyFile));
        AdminKey = (await File.ReadAllTextAsync(adminKeyFile)).Trim();
    }

    /// <inheritdoc />
    public HttpClient CreateClient() => _api!.CreateClient();

    /// <inheritdoc />
    public Task<IReadOnlyList<AuditEvent>> AuditEventsAsync(CancellationToken cancellationToken) =>
        _audit!.Services.GetRequiredService<IAuditEventStore>().ListAsync(1000, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// Not here: watching the topic through real sidecars needs one more app with its own daprd subscribed to it,
    /// which cannot be tried on the machines this project is built on (no daprd). Scenarios that need it skip.
    /// </remarks>
    public Task<IReadOnlyList<ExecutionResultEvent>> ExecutionResultsAsync(CancellationToken cancellationToken) =>
        throw new NotSupportedException(
            "The real-daprd composition does not watch execution-results yet: that needs a subscriber app with its "
            + "own daprd, not written while no build machine can run daprd.");

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(_hosts))
        {
            await host.DisposeAsync();
        }

        foreach (var process in Enumerable.Reverse(_processes))
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
        }

        Directory.Delete(_data, recursive: true);
    }

    private static string? Find(string name)
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Append(Path.Combine(home, ".dapr", "bin"));
        return folders.Select(f => Path.Combine(f, name)).FirstOrDefault(File.Exists);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Start(string path, params string[] arguments)
    {
        var process = Process.Start(new ProcessStartInfo(path, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException($"{path} did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
    }

    private string WriteComponents(string redis)
    {
        var folder = Path.Combine(_data, "components");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "statestore.yaml"), $"""
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: {DaprNames.StateStore}
            spec:
              type: state.redis
              version: v1
              metadata:
                - name: redisHost
                  value: "{redis}"
                - name: keyPrefix
                  value: name
                - name: actorStateStore
                  value: "true"
            """);
        File.WriteAllText(Path.Combine(folder, "pubsub.yaml"), $"""
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: {DaprNames.PubSub}
            spec:
              type: pubsub.redis
              version: v1
              metadata:
                - name: redisHost
                  value: "{redis}"
            """);
        return folder;
    }

    /// <summary>
    /// Starts daprd for <paramref name="appId"/> first (it waits for the app's port), then the service on a real
    /// loopback port, pointed at daprd.
    /// </summary>
    private Task<WebApplicationFactory<T>> StartServiceAsync<T>(
        string daprd, string components, int placementPort, string appId, (string Key, string Value) setting)
        where T : class
    {
        var (appPort, httpPort, grpcPort) = (FreePort(), FreePort(), FreePort());
        Start(
            daprd,
            "--app-id", appId,
            "--app-port", $"{appPort}",
            "--dapr-http-port", $"{httpPort}",
            "--dapr-grpc-port", $"{grpcPort}",
            "--dapr-internal-grpc-port", $"{FreePort()}",
            "--metrics-port", $"{FreePort()}",
            "--resources-path", components,
            "--placement-host-address", $"127.0.0.1:{placementPort}",
            "--max-body-size", "32Mi");
        var factory = new WebApplicationFactory<T>().WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in Settings.Common)
            {
                builder.UseSetting(key, value);
            }

            builder.UseSetting("DAPR_HTTP_ENDPOINT", $"http://127.0.0.1:{httpPort}");
            builder.UseSetting("DAPR_GRPC_ENDPOINT", $"http://127.0.0.1:{grpcPort}");
            builder.UseSetting(setting.Key, setting.Value);
        });
        factory.UseKestrel(appPort);
        _hosts.Add(factory);
        factory.StartServer();
        return Task.FromResult(factory);
    }
}
