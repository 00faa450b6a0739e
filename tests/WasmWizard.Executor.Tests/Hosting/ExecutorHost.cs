using Dapr.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using WasmWizard.DaprDouble;
using WasmWizard.DaprDouble.State;
using WasmWizard.Executor.Hosting;
using WasmWizard.Executor.Sandbox;
using WasmWizard.Shared.Dapr;

namespace WasmWizard.Executor.Tests.Hosting;

/// <summary>
/// The distributed executor as deployed: its entry point in a <see cref="WebApplicationFactory{T}"/> behind a sidecar
/// double, and an api sidecar double beside it that the <see cref="DaprExecutorClient"/> calls through. Both
/// sidecars share the state store the way the real component does (<c>keyPrefix: name</c>).
/// </summary>
public sealed class ExecutorHost : IAsyncDisposable
{
    /// <summary>What dapr.yaml gives every sidecar: room for a 16 MiB module and its run.</summary>
    public const long SidecarBodyLimit = 32 * 1024 * 1024;

    private readonly WebApplicationFactory<ExecutorProgram> _root;
    private readonly DaprClient _apiDapr;

    private ExecutorHost(
        SidecarNetwork network,
        SidecarDouble executorSidecar,
        WebApplicationFactory<ExecutorProgram> root,
        WebApplicationFactory<ExecutorProgram> factory,
        DaprClient apiDapr,
        string cacheDirectory)
    {
        Network = network;
        ExecutorSidecar = executorSidecar;
        _root = root;
        Factory = factory;
        _apiDapr = apiDapr;
        CacheDirectory = cacheDirectory;
        Client = CreateClient(new ExecutorClientOptions());
    }

    public SidecarNetwork Network { get; }

    public SidecarDouble ExecutorSidecar { get; }

    public WebApplicationFactory<ExecutorProgram> Factory { get; }

    public string CacheDirectory { get; }

    /// <summary>The api's way to the executor: service invocation through the api's sidecar.</summary>
    public DaprExecutorClient Client { get; }

    public int FreeSlots => Factory.Services.GetRequiredService<GuestThreadPool>().FreeSlots;

    public static async Task<ExecutorHost> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var token = TestContext.Current.CancellationToken;
        var network = new SidecarNetwork(
            new SidecarNetworkOptions().AddStateStore(DaprNames.StateStore, KeyPrefix.Name));
        try
        {
            var api = await SidecarDouble.StartAsync(
                new() { AppId = DaprNames.ApiAppId, Network = network, MaxBodySize = SidecarBodyLimit }, token);
            // The executor's sidecar carries the app token the executor was given, as daprd does with APP_API_TOKEN.
            var appToken = settings?.TryGetValue(SidecarChannel.TokenSetting, out var set) == true ? set : null;
            var executor = await SidecarDouble.StartAsync(
                new()
                {
                    AppId = DaprNames.ExecutorAppId, Network = network, MaxBodySize = SidecarBodyLimit, AppToken = appToken,
                },
                token);
            var cache = Directory.CreateTempSubdirectory("ww-executor-host-").FullName;
            var root = new WebApplicationFactory<ExecutorProgram>();
            var factory = root.WithWebHostBuilder(b =>
            {
                foreach (var (key, value) in executor.Configuration)
                {
                    b.UseSetting(key, value);
                }

                b.UseSetting("Sandbox:CompiledCacheDirectory", cache);
                b.UseSetting("Sandbox:MaxConcurrentRuns", "2");
                b.UseSetting("Serilog:MinimumLevel:Default", "Warning");
                foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
                {
                    b.UseSetting(key, value);
                }
            });

            // The app needs the sidecar's endpoints to start; the sidecar then connects to the app, as daprd does.
            await executor.ConnectAppAsync(AppChannel.FromHandler(factory.Server.CreateHandler()), token);
            var apiDapr = new DaprClientBuilder()
                .UseHttpEndpoint(api.HttpEndpoint)
                .UseGrpcEndpoint(api.GrpcEndpoint)
                .Build();
            return new ExecutorHost(network, executor, root, factory, apiDapr, cache);
        }
        catch
        {
            await network.DisposeAsync();
            throw;
        }
    }

    /// <summary>A client with other options, over the same api sidecar.</summary>
    public DaprExecutorClient CreateClient(ExecutorClientOptions options) =>
        new(_apiDapr, Options.Create(options), NullLogger<DaprExecutorClient>.Instance);

    /// <summary>Stores a module's bytes where the api stores them.</summary>
    public Task StoreBytesAsync(string sha256, byte[] module) =>
        _apiDapr.SaveByteStateAsync(
            DaprNames.StateStore, DaprStateKeys.ModuleBytes(sha256), module,
            cancellationToken: TestContext.Current.CancellationToken);

    /// <summary>The artifacts the executor keeps on its disk for <paramref name="sha256"/>.</summary>
    public string[] Artifacts(string sha256) => Directory.GetFiles(CacheDirectory, sha256 + "-*.cwasm");

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        _apiDapr.Dispose();
        await Network.DisposeAsync();
        await _root.DisposeAsync();
        Directory.Delete(CacheDirectory, recursive: true);
    }
}

/// <summary>One executor host for all the tests of a class.</summary>
public class ExecutorHostFixture : IAsyncLifetime
{
    public ExecutorHost Host { get; private set; } = null!;

    protected virtual IDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>();

    public async ValueTask InitializeAsync() => Host = await ExecutorHost.StartAsync(Settings);

    public async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        await Host.DisposeAsync();
    }
}
