using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace WasmWizard.Api.Tests.Infrastructure;

/// <summary>
/// A stand-in OpenTelemetry collector on loopback: it accepts OTLP/HTTP trace exports (<c>POST /v1/traces</c>,
/// protobuf) and keeps each request's content type and bytes.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(string? ContentType, byte[] Body)> _exports = new();

    private OtlpReceiver(WebApplication app) => _app = app;

    /// <summary>The base endpoint, as <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> names it.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>The trace exports received so far.</summary>
    public IReadOnlyList<(string? ContentType, byte[] Body)> Exports => [.. _exports];

    /// <summary>Starts on 127.0.0.1 at <paramref name="port"/> (0: any free port), also on ::1 when given a port.</summary>
    public static async Task<OtlpReceiver> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, port);
            if (port != 0 && Socket.OSSupportsIPv6)
            {
                // An exporter left at its default address dials "localhost", which may resolve to ::1 first.
                kestrel.Listen(IPAddress.IPv6Loopback, port);
            }
        });
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            receiver._exports.Enqueue((request.ContentType, body.ToArray()));
            // An empty ExportTraceServiceResponse: everything accepted.
            return Results.Bytes([], "application/x-protobuf");
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        receiver.Endpoint = new Uri(app.Urls.First(u => u.Contains("127.0.0.1", StringComparison.Ordinal)));
        return receiver;
    }

    /// <summary>Whether an export carried a span of <paramref name="traceId"/> (OTLP holds the id as 16 raw bytes).</summary>
    public bool Carries(ActivityTraceId traceId)
    {
        Span<byte> id = stackalloc byte[16];
        traceId.CopyTo(id);
        foreach (var (_, body) in _exports)
        {
            if (body.AsSpan().IndexOf(id) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
