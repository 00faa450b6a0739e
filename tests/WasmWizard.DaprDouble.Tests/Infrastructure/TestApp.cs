using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace WasmWizard.DaprDouble.Tests.Infrastructure;

/// <summary>
/// A small ASP.NET Core app wired to a sidecar double the way a service is: Dapr endpoints from configuration,
/// started, then connected so the double loads its subscriptions and actor types.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestApp(WebApplication app) => _app = app;

    /// <summary>The app's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Starts the app in memory (a TestServer, as <c>WebApplicationFactory</c> uses) or on 127.0.0.1 with a
    /// dynamic port, and connects <paramref name="sidecar"/> to it.
    /// </summary>
    public static async Task<TestApp> StartAsync(
        SidecarDouble sidecar,
        Action<WebApplicationBuilder> configure,
        Action<WebApplication> map,
        AppHosting hosting = AppHosting.TestServerHandler)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(sidecar.Configuration);
        if (hosting == AppHosting.LoopbackPort)
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        }
        else
        {
            builder.WebHost.UseTestServer();
        }

        configure(builder);
        var app = builder.Build();
        map(app);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var channel = hosting switch
        {
            AppHosting.LoopbackPort => AppChannel.FromAddress(new Uri(app.Urls.Single())),
            AppHosting.TestServerClients => AppChannel.FromClientFactory(app.GetTestServer().CreateClient),
            _ => AppChannel.FromHandler(app.GetTestServer().CreateHandler()),
        };
        try
        {
            await sidecar.ConnectAppAsync(channel, TestContext.Current.CancellationToken);
        }
        catch
        {
            // A test that expects the connection to fail must not leave the app running.
            await app.DisposeAsync();
            throw;
        }

        return new TestApp(app);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
