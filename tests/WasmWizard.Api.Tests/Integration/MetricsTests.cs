using System.Net;
using WasmWizard.Api.Tests.Infrastructure;

namespace WasmWizard.Api.Tests.Integration;

/// <summary>
/// <c>/metrics</c> of the embedded host after real runs: the sandbox's instruments with their outcome label, ASP.NET
/// Core's request metrics and the runtime's, in the Prometheus text format, and nothing a caller sent.
/// </summary>
[Collection(MetricsCollection.Name)]
public sealed class MetricsTests : IClassFixture<MetricsTests.App>
{
    private readonly WasmWizardApp _app;

    public MetricsTests(App app)
    {
        ArgumentNullException.ThrowIfNull(app);
        _app = app.Instance;
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AfterRuns_SandboxRunsByOutcome_DurationsFuelSlotsCache_AndHttpAndRuntimeMetrics()
    {
        using var user = await _app.CreateUserAsync("pro");
        var echo = await ApiCalls.UploadAsync(user.Client, TestModules.Echo, "echo.wasm");
        var failing = await ApiCalls.UploadAsync(user.Client, TestModules.ExitWith(3), "exit3.wasm");
        const string Secret = "stdin-that-must-not-leak";
        await ApiCalls.ExecuteAsync(user.Client, Id(echo), new { input = Secret });
        await ApiCalls.ExecuteAsync(user.Client, Id(echo), new { input = Secret });
        await ApiCalls.ExecuteAsync(user.Client, Id(failing), new { });

        using var anonymous = _app.CreateClient();
        var response = await anonymous.GetAsync("/metrics", Token);
        var text = await response.Content.ReadAsStringAsync(Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.True(Sample(text, "wasmwizard_sandbox_runs_total", "outcome=\"exited\"") >= 3);
        Assert.Contains("wasmwizard_sandbox_run_duration_seconds_bucket{", text, StringComparison.Ordinal);
        Assert.True(Sample(text, "wasmwizard_sandbox_run_duration_seconds_count", "outcome=\"exited\"") >= 3);
        Assert.True(Sample(text, "wasmwizard_sandbox_fuel_consumed_total", null) > 0);
        Assert.True(Sample(text, "wasmwizard_sandbox_slots_free", null) >= 1);
        Assert.True(Sample(text, "wasmwizard_sandbox_module_cache_memory_hits_total", null) >= 2);
        Assert.True(Sample(text, "wasmwizard_sandbox_module_cache_compilations_total", null) >= 2);
        Assert.Contains("http_server_request_duration_seconds_bucket{", text, StringComparison.Ordinal);
        Assert.Contains("dotnet_gc_collections_total", text, StringComparison.Ordinal);
        // The resource names the service, as on its spans and log lines.
        Assert.Contains("service_name=\"standalone\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(user.ApiKey, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecutionsByTierAndMode_RefusalsByTier_FailedCredentialsByKind()
    {
        using var user = await _app.CreateUserAsync("free");
        var echo = await ApiCalls.UploadAsync(user.Client, TestModules.Echo, "echo.wasm");
        await ApiCalls.ExecuteAsync(user.Client, Id(echo), new { input = "x" });

        // The free tier's burst is 5 requests: the upload and the run spent two, so a few more reach the limit.
        var refused = false;
        for (var i = 0; i < 10 && !refused; i++)
        {
            refused = (await user.Client.GetAsync("/api/wasm/modules", Token)).StatusCode == HttpStatusCode.TooManyRequests;
        }

        using var wrongKey = _app.ClientWithKey("ww_" + new string('x', 40));
        var unauthorized = await wrongKey.GetAsync("/api/wasm/modules", Token);
        using var anonymous = _app.CreateClient();
        var text = await (await anonymous.GetAsync("/metrics", Token)).Content.ReadAsStringAsync(Token);

        Assert.True(refused);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.True(Sample(text, "wasmwizard_executions_total", "tier=\"free\"") >= 1);
        Assert.Contains("mode=\"sync\"", text, StringComparison.Ordinal);
        Assert.True(Sample(text, "wasmwizard_rate_limit_refusals_total", "limit=\"credential\"") >= 1);
        Assert.True(Sample(text, "wasmwizard_auth_failures_total", "kind=\"api_key\"") >= 1);
    }

    private static Guid Id(System.Text.Json.JsonElement module) => module.GetProperty("id").GetGuid();

    // The sum of a metric's samples whose labels contain <paramref name="label"/> (every sample when null).
    private static double Sample(string text, string name, string? label)
    {
        var total = 0.0;
        var found = false;
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(name, StringComparison.Ordinal) || line.StartsWith('#')
                || (line.Length > name.Length && line[name.Length] is not ('{' or ' ')))
            {
                continue;
            }

            if (label is not null && !line.Contains(label, StringComparison.Ordinal))
            {
                continue;
            }

            var value = line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0];
            total += double.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
            found = true;
        }

        Assert.True(found, $"no sample of {name}{(label is null ? "" : " with " + label)} in /metrics:\n{text}");
        return total;
    }

    /// <summary>A host of its own, with the free tier's published request burst (5) so a refusal is reachable.</summary>
    public sealed class App : IDisposable
    {
        public WasmWizardApp Instance { get; } = new(new Dictionary<string, string?>
        {
            ["Api:Tiers:free:RequestsPerMinute"] = "10",
            ["Api:Tiers:free:RequestsPerHour"] = "100",
            ["Api:Tiers:free:Burst"] = "5",
        });

        public void Dispose() => Instance.Dispose();
    }
}
