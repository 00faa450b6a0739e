using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using WasmWizard.Api.Tests.Infrastructure;

namespace WasmWizard.Api.Tests.Integration;

/// <summary>
/// Trace export over OTLP: with <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set the host sends its spans (the sandbox's among
/// them, under the service name) to that collector; without it, nothing leaves the process, not even to the
/// exporter's default address.
/// </summary>
public sealed class OtlpExportTests
{
    private const string Secret = "stdin-that-no-export-may-carry";

    // Where an OTLP/HTTP exporter left at its defaults would send.
    private const int DefaultOtlpHttpPort = 4318;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Endpoint_TheRequestsSpansReachTheCollector_NeverTheInputOrKey()
    {
        await using var collector = await OtlpReceiver.StartAsync();
        var app = new WasmWizardApp(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        });
        await using var _ = app;
        using var user = await app.CreateUserAsync("pro");
        var traceId = await RunTracedAsync(user.Client);
        Flush(app);

        var exports = collector.Exports;
        Assert.NotEmpty(exports);
        Assert.All(exports, e => Assert.Equal("application/x-protobuf", e.ContentType));
        Assert.True(collector.Carries(traceId), "no export carried the request's trace");
        var text = string.Concat(exports.Select(e => Encoding.UTF8.GetString(e.Body)));
        Assert.Contains("WasmWizard.Sandbox", text, StringComparison.Ordinal);
        Assert.Contains("standalone", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(user.ApiKey, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoEndpoint_NothingExported_NotEvenToTheDefaultAddress()
    {
        OtlpReceiver collector;
        try
        {
            collector = await OtlpReceiver.StartAsync(DefaultOtlpHttpPort);
        }
        catch (IOException e)
        {
            Assert.Skip($"port {DefaultOtlpHttpPort} is taken here, so a stray export could not be caught: {e.Message}");
            return;
        }

        await using (collector)
        {
            var app = new WasmWizardApp(new Dictionary<string, string?>
            {
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            });
            await using (app)
            {
                using var user = await app.CreateUserAsync("pro");
                await RunTracedAsync(user.Client);
                Flush(app);
            }

            Assert.Empty(collector.Exports);
        }
    }

    // Sends what the batch holds now (and waits for it), rather than when the batch's delay is up.
    private static void Flush(WasmWizardApp app) =>
        Assert.True(app.Services.GetRequiredService<TracerProvider>().ForceFlush(10_000), "the span batch did not flush");

    // Uploads and runs a module under a sampled client trace; returns the trace's id.
    private static async Task<ActivityTraceId> RunTracedAsync(HttpClient client)
    {
        var module = await ApiCalls.UploadAsync(client, TestModules.Echo, "echo.wasm");
        var traceId = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(
            HttpMethod.Post, $"/api/wasm/modules/{module.GetProperty("id").GetGuid()}/execute")
        {
            Content = JsonContent.Create(new { input = Secret }),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        using var response = await client.SendAsync(request, Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return traceId;
    }
}
