using System.Net;
using Grpc.AspNetCore.Server.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WasmWizard.DaprDouble.Grpc;
using WasmWizard.DaprDouble.Http;

namespace WasmWizard.DaprDouble.Hosting;

/// <summary>
/// The Kestrel host of one sidecar double: an HTTP/2-only (h2c) port for gRPC and an HTTP/1.1 port for HTTP.
/// </summary>
internal static class SidecarHost
{
    public static async Task<StartedHost> StartAsync(
        SidecarDouble sidecar, Action<ILoggingBuilder>? configureLogging, CancellationToken cancellationToken)
    {
        ListenOptions? grpc = null;
        ListenOptions? http = null;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(SidecarHost).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        configureLogging?.Invoke(builder.Logging);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Bodies are limited per endpoint, like --max-body-size, so Kestrel's own 30 MB limit stays out of it.
            kestrel.Limits.MaxRequestBodySize = null;

            // Plain-text gRPC needs a listener that speaks only HTTP/2 (no TLS, so no protocol negotiation).
            kestrel.Listen(IPAddress.Loopback, 0, o =>
            {
                o.Protocols = HttpProtocols.Http2;
                grpc = o;
            });
            kestrel.Listen(IPAddress.Loopback, 0, o =>
            {
                o.Protocols = HttpProtocols.Http1;
                http = o;
            });
        });
        builder.Services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = (int)Math.Min(sidecar.MaxBodySize, int.MaxValue);
            o.MaxSendMessageSize = null;
        });
        builder.Services.AddSingleton(sidecar);
        builder.Services.AddSingleton<DaprRuntimeService>();
        builder.Services.AddSingleton<IServiceMethodProvider<DaprRuntimeService>, DaprRuntimeMethods>();

        var app = builder.Build();
        app.Use(CollapseLeadingSlashes);
        app.Use(ApiTokenCheck.RequireApiToken);
        app.UseRouting();
        app.MapGrpcService<DaprRuntimeService>();
        app.MapDaprHttpApi();
        await app.StartAsync(cancellationToken);
        return new StartedHost(app, Endpoint(grpc), Endpoint(http));
    }

    /// <summary>
    /// With its endpoint taken from configuration, the actor SDK sends <c>//v1.0/…</c> (it joins endpoint and
    /// path with a slash of its own); daprd tolerates that, and so must the double.
    /// </summary>
    private static Task CollapseLeadingSlashes(HttpContext context, RequestDelegate next)
    {
        var path = context.Request.Path.Value;
        if (path is not null && path.StartsWith("//", StringComparison.Ordinal))
        {
            context.Request.Path = new PathString("/" + path.TrimStart('/'));
        }

        return next(context);
    }

    private static string Endpoint(ListenOptions? listener) =>
        listener?.IPEndPoint is { } bound
            ? $"http://127.0.0.1:{bound.Port}"
            : throw new InvalidOperationException("Kestrel did not report the port it bound.");

    /// <summary>A started host and its two endpoints.</summary>
    internal sealed record StartedHost(WebApplication Host, string GrpcEndpoint, string HttpEndpoint);
}
