using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WasmWizard.Api.Tests.Infrastructure;
using WasmWizard.Executor.Sandbox;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Api.Tests.Integration;

/// <summary>
/// The sandbox's spans and phase metrics on the embedded host: an upload traces <c>validate</c> and <c>compile</c>, a
/// run traces <c>instantiate</c> and <c>run</c> (on a guest thread, still inside the request's trace), and
/// <c>/metrics</c> shows each phase, the runs in progress and how the compiled-module cache missed and evicted.
/// </summary>
[Collection(MetricsCollection.Name)]
public sealed class SandboxTelemetryTests : IClassFixture<SandboxTelemetryTests.App>, IDisposable
{
    private const string Secret = "stdin-that-no-span-may-carry";

    private readonly WasmWizardApp _app;
    private readonly SpanRecorder _spans = new();

    public SandboxTelemetryTests(App app)
    {
        ArgumentNullException.ThrowIfNull(app);
        _app = app.Instance;
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => _spans.Dispose();

    [Fact]
    public async Task Upload_ValidateAndCompileSpans_UnderTheUploadRequest()
    {
        using var user = await _app.CreateUserAsync("pro");
        var module = TestModules.ExitWith(11);
        using var form = ApiCalls.ModuleForm(module, "exit11.wasm", ("name", "exit11.wasm"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/wasm/upload") { Content = form };
        var (response, traceId, server) = await _spans.SendAsync(user.Client, request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var validate = await _spans.WhenFinishedAsync(traceId, Phase("validate"));
        var compile = await _spans.WhenFinishedAsync(traceId, Phase("compile"));
        Assert.True(_spans.IsAncestor(server, validate), "the validate span is not inside the upload request");
        Assert.True(_spans.IsAncestor(server, compile), "the compile span is not inside the upload request");
        var sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(module));
        Assert.Equal(sha256, validate.GetTagItem(SandboxTelemetry.ModuleTag));
        Assert.Equal(sha256, compile.GetTagItem(SandboxTelemetry.ModuleTag));
        Assert.DoesNotContain(_spans.Spans(traceId), s => Phase("run")(s));
    }

    [Fact]
    public async Task RunStored_InstantiateAndRunSpans_UnderTheRequest_WithTheOutcome_NeverTheInput()
    {
        using var user = await _app.CreateUserAsync("pro");
        var uploaded = await ApiCalls.UploadAsync(user.Client, TestModules.Echo, "echo.wasm");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/wasm/modules/{Id(uploaded)}/execute")
        {
            Content = JsonContent.Create(new { input = Secret, args = new[] { Secret }, env = new { KEY = Secret } }),
        };
        var (response, traceId, server) = await _spans.SendAsync(user.Client, request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var instantiate = await _spans.WhenFinishedAsync(traceId, Phase("instantiate"));
        var run = await _spans.WhenFinishedAsync(traceId, Phase("run"));
        Assert.True(_spans.IsAncestor(server, instantiate), "the instantiate span is not inside the request");
        Assert.True(_spans.IsAncestor(server, run), "the run span (guest thread) is not inside the request");
        Assert.True(instantiate.StartTimeUtc + instantiate.Duration <= run.StartTimeUtc + TimeSpan.FromMilliseconds(1));
        Assert.Equal("exited", run.GetTagItem(SandboxTelemetry.OutcomeTag));
        Assert.Equal(0, run.GetTagItem(SandboxTelemetry.ExitCodeTag));
        // Compiled at upload: the run reuses it.
        Assert.DoesNotContain(_spans.Spans(traceId), s => Phase("compile")(s));
        Assert.DoesNotContain(
            _spans.Spans(traceId).SelectMany(s => s.TagObjects),
            tag => tag.Value?.ToString()?.Contains(Secret, StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task ExecuteUploadedBytes_AllFourPhasesInOneTrace_TheRunCarriesItsExitCode()
    {
        using var user = await _app.CreateUserAsync("pro");
        using var form = ApiCalls.ModuleForm(TestModules.ExitWith(5), "exit5.wasm", ("input", Secret));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/wasm/execute") { Content = form };
        var (response, traceId, server) = await _spans.SendAsync(user.Client, request);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        foreach (var phase in new[] { "validate", "compile", "instantiate", "run" })
        {
            var span = await _spans.WhenFinishedAsync(traceId, Phase(phase));
            Assert.True(_spans.IsAncestor(server, span), $"the {phase} span is not inside the request");
        }

        var run = await _spans.WhenFinishedAsync(traceId, Phase("run"));
        Assert.Equal("exited", run.GetTagItem(SandboxTelemetry.OutcomeTag));
        Assert.Equal(5, run.GetTagItem(SandboxTelemetry.ExitCodeTag));
    }

    [Fact]
    public async Task Metrics_EachPhase_RunsInProgress_CacheMissesAndEvictions()
    {
        using var user = await _app.CreateUserAsync("pro");
        using var anonymous = _app.CreateClient();
        var echo = await ApiCalls.UploadAsync(user.Client, TestModules.Echo, "echo.wasm");
        var sleeper = await ApiCalls.UploadAsync(user.Client, TestModules.Sleep(TimeSpan.FromSeconds(3)), "sleep.wasm");

        // The cache holds one module: uploading the sleeper evicted echo, so running echo misses (and loads from disk).
        await ApiCalls.ExecuteAsync(user.Client, Id(echo), new { input = Secret });
        var sleeping = ApiCalls.ExecuteAsync(user.Client, Id(sleeper), new { });
        await Eventually.HoldsAsync(
            async () => Sample(await ScrapeAsync(anonymous), "wasmwizard_sandbox_runs_active", null) >= 1,
            TimeSpan.FromSeconds(10),
            TimeSpan.FromMilliseconds(20));
        Assert.Equal(HttpStatusCode.OK, (await sleeping).StatusCode);
        var text = await ScrapeAsync(anonymous);

        foreach (var phase in new[] { "validate", "compile", "instantiate", "run" })
        {
            Assert.True(Sample(text, "wasmwizard_sandbox_phase_duration_seconds_count", $"phase=\"{phase}\"") >= 1);
            Assert.True(Sample(text, "wasmwizard_sandbox_phase_duration_seconds_bucket", $"phase=\"{phase}\"") >= 1);
        }

        Assert.Equal(0, Sample(text, "wasmwizard_sandbox_runs_active", null));
        Assert.True(Sample(text, "wasmwizard_sandbox_module_cache_misses_total", null) >= 1);
        Assert.True(Sample(text, "wasmwizard_sandbox_module_cache_evictions_total", null) >= 1);
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
    }

    private static Func<Activity, bool> Phase(string name) =>
        s => s.Source.Name == SandboxTelemetry.SourceName && s.OperationName == name;

    private static Guid Id(JsonElement module) => module.GetProperty("id").GetGuid();

    private static async Task<string> ScrapeAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/metrics", Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync(Token);
    }

    // The sum of a metric's samples whose labels contain <paramref name="label"/> (every sample when null).
    private static double Sample(string text, string name, string? label)
    {
        var samples = text.Split('\n')
            .Where(line => line.StartsWith(name, StringComparison.Ordinal)
                && line.Length > name.Length && line[name.Length] is '{' or ' '
                && (label is null || line.Contains(label, StringComparison.Ordinal)))
            .Select(line => double.Parse(
                line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        Assert.True(samples.Count > 0, $"no sample of {name}{(label is null ? "" : " with " + label)} in /metrics:\n{text}");
        return samples.Sum();
    }

    /// <summary>A host whose in-memory module cache holds a single module, so a second upload evicts the first.</summary>
    public sealed class App : IDisposable
    {
        public WasmWizardApp Instance { get; } = new(new Dictionary<string, string?>
        {
            ["Sandbox:MemoryCacheEntries"] = "1",
        });

        public void Dispose() => Instance.Dispose();
    }
}
