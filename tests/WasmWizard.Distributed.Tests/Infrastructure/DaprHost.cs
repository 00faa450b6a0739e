using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using WasmWizard.DaprDouble;

namespace WasmWizard.Distributed.Tests.Infrastructure;

/// <summary>
/// One of the Dapr-hosted services, in memory, wired to its own sidecar double as <c>dapr run</c> wires it: the
/// sidecar's endpoints come from configuration, and the sidecar connects to the app once it runs.
/// </summary>
/// <typeparam name="TEntryPoint">The service's entry class.</typeparam>
public sealed class DaprHost<TEntryPoint> : WebApplicationFactory<TEntryPoint>
    where TEntryPoint : class
{
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;

    private DaprHost(
        SidecarDouble sidecar, IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? services = null)
    {
        Sidecar = sidecar;
        _settings = settings;
        _services = services;
    }

    /// <summary>The service's sidecar.</summary>
    public SidecarDouble Sidecar { get; }

    /// <summary>
    /// Starts a sidecar for <paramref name="appId"/> on <paramref name="network"/>, then the service beside it. With
    /// <paramref name="apiToken"/> and <paramref name="appToken"/> the sidecar runs as daprd with
    /// <c>DAPR_API_TOKEN</c> and <c>APP_API_TOKEN</c>, and the service gets both settings, as an operator sets them.
    /// With <paramref name="replica"/> the service joins an app id that already runs, as one more replica of it.
    /// <paramref name="services"/> adds to the service's own registrations (a log capture, say).
    /// </summary>
    public static async Task<DaprHost<TEntryPoint>> StartAsync(
        SidecarNetwork network,
        string appId,
        IDictionary<string, string?>? settings = null,
        long maxBodySize = SidecarDoubleOptions.DefaultMaxBodySize,
        string? apiToken = null,
        string? appToken = null,
        bool replica = false,
        Action<IServiceCollection>? services = null)
    {
        var sidecar = await SidecarDouble.StartAsync(new SidecarDoubleOptions
        {
            AppId = appId,
            Network = network,
            MaxBodySize = maxBodySize,
            ApiToken = apiToken,
            AppToken = appToken,
            Replica = replica,
        });
        var all = new Dictionary<string, string?>(sidecar.Configuration);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var host = new DaprHost<TEntryPoint>(sidecar, all, services);
        _ = host.Server; // starts the service, which waits for its sidecar
        await sidecar.ConnectAppAsync(AppChannel.FromHandler(host.Server.CreateHandler()));
        return host;
    }

    /// <summary>
    /// Starts the service with <paramref name="settings"/> alone (no sidecar is connected to it), and disposes it
    /// again: for tests of what startup does when the sidecar does not answer.
    /// </summary>
    public static async Task StartWithoutSidecarAsync(IReadOnlyDictionary<string, string?> settings)
    {
        await using var host = new DaprHost<TEntryPoint>(null!, settings);
        _ = host.Server;
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Sidecar is not null)
        {
            await Sidecar.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <inheritdoc />
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.UseTestServer();
        if (_services is not null)
        {
            builder.ConfigureTestServices(_services);
        }
    }
}
