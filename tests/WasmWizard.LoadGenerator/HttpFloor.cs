using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace WasmWizard.LoadGenerator;

/// <summary>
/// What HTTP alone costs on this machine: a Kestrel server in this process, on 127.0.0.1, whose one route takes the
/// execute request, reads its body and answers with bytes recorded from a real answer of the host. No
/// authentication, no run, no storage: the same client and request against it give the most any HTTP service
/// could answer here, with its clients on the same cores.
/// </summary>
public sealed class HttpFloor : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HttpFloor(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>Where the server listens.</summary>
    public Uri Address { get; }

    /// <summary>
    /// Starts a server answering every execute request with <paramref name="status"/> and JSON
    /// <paramref name="answer"/>.
    /// </summary>
    public static async Task<HttpFloor> StartAsync(int status, byte[] answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var builder = WebApplication.CreateSlimBuilder();
        // Nothing per request, like the host under test, whose request lines are below the Warning level it runs at.
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapPost("/api/wasm/modules/{id}/execute", async (HttpContext context) =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted).ConfigureAwait(false);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = answer.Length;
            await context.Response.Body.WriteAsync(answer, context.RequestAborted).ConfigureAwait(false);
        });
        await app.StartAsync().ConfigureAwait(false);
        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
        return new HttpFloor(app, new Uri(addresses.Addresses.First()));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
