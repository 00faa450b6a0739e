using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using WasmWizard.Api.Tests.Infrastructure;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Api.Tests.Integration;

/// <summary>
/// What an operator reads on the embedded host's <c>/metrics</c> after real requests: every finished execution once,
/// by outcome, tier and mode; how long queued ones waited; the audit events written, by type, with their lag; the
/// outbox backlog.
/// </summary>
[Collection(MetricsCollection.Name)]
public sealed class ExecutionAndAuditMetricsTests : IClassFixture<ExecutionAndAuditMetricsTests.App>
{
    private const string Written = "wasmwizard_audit_events_written_total";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(20);

    private readonly WasmWizardApp _app;

    public ExecutionAndAuditMetricsTests(App app)
    {
        ArgumentNullException.ThrowIfNull(app);
        _app = app.Instance;
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SyncAndQueuedRuns_EachCountedOnceWithTierAndMode_QueueWaitSampledForTheTier()
    {
        using var log = new MeasurementLog(
            _app.Services.GetRequiredService<IMeterFactory>(),
            "wasmwizard.executions",
            "wasmwizard.execution.queue_wait");
        using var user = await _app.CreateUserAsync("basic");
        using var anonymous = _app.CreateClient();
        var echo = Id(await ApiCalls.UploadAsync(user.Client, TestModules.Echo, "echo.wasm"));
        var failing = Id(await ApiCalls.UploadAsync(user.Client, TestModules.ExitWith(3), "exit3.wasm"));
        var before = await PrometheusScrape.OfAsync(anonymous);

        var sync = await ApiCalls.ExecuteAsync(user.Client, echo, new { input = "now" });
        var queued = await SubmitAsync(user.Client, failing);
        await CompletedAsync(user.Client, queued);
        var after = await PrometheusScrape.OfAsync(anonymous);

        Assert.Equal(HttpStatusCode.OK, sync.StatusCode);
        Assert.True(after.Since(before, "wasmwizard_executions_total", Sync("exited")) >= 1);
        Assert.True(after.Since(before, "wasmwizard_executions_total", Queued("exited")) >= 1);
        Assert.True(after.Since(before, "wasmwizard_execution_queue_wait_seconds_count", ("tier", "basic")) >= 1);
        Assert.True(after.Has("wasmwizard_execution_queue_wait_seconds_bucket", ("tier", "basic"), ("le", "+Inf")));

        // This host's own instruments: one count per run, in the mode it ran in, and one wait for the queued one.
        var counted = log.Of("wasmwizard.executions");
        Assert.Equal(2, counted.Count);
        Assert.Contains(counted, m => Is(m.Tags, "exited", "sync"));
        Assert.Contains(counted, m => Is(m.Tags, "exited", "queued"));
        var wait = Assert.Single(log.Of("wasmwizard.execution.queue_wait"));
        Assert.Equal("basic", wait.Tags["tier"]);
        Assert.InRange(wait.Value, 0, Patience.TotalSeconds);
    }

    [Fact]
    public async Task AuditedActions_WrittenByType_WithTheirLag_AndTheOutboxBacklogShown()
    {
        using var user = await _app.CreateUserAsync("basic");
        using var anonymous = _app.CreateClient();
        var before = await PrometheusScrape.OfAsync(anonymous);

        var created = await user.Client.PostAsJsonAsync("/api/auth/keys", new { name = "second" }, Token);
        var createdKey = (await ApiCalls.BodyAsync(created)).GetProperty("api_key").GetString()!;
        using var wrongKey = _app.ClientWithKey("ww_" + new string('y', 40));
        await wrongKey.GetAsync("/api/wasm/modules", Token);

        // The embedded host writes the trail from its outbox, just after the request: wait for it.
        PrometheusScrape after = before;
        await Eventually.HoldsAsync(
            async () =>
            {
                after = await PrometheusScrape.OfAsync(anonymous);
                return after.Since(before, Written, ("type", AuditEventTypes.KeyCreated)) >= 1
                    && after.Since(before, Written, ("type", AuditEventTypes.AuthenticationFailed)) >= 1;
            },
            Patience,
            PollEvery);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.True(after.Since(before, "wasmwizard_audit_lag_seconds_count") >= 2);
        Assert.True(after.Has("wasmwizard_audit_lag_seconds_bucket", ("le", "+Inf")));
        Assert.True(after.Has("wasmwizard_audit_outbox_pending"));
        Assert.True(after.Sum("wasmwizard_audit_outbox_pending") >= 0);
        Assert.DoesNotContain(createdKey, after.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(user.ApiKey, after.Text, StringComparison.Ordinal);
    }

    private static (string, string)[] Sync(string outcome) =>
        [("outcome", outcome), ("tier", "basic"), ("mode", "sync")];

    private static (string, string)[] Queued(string outcome) =>
        [("outcome", outcome), ("tier", "basic"), ("mode", "queued")];

    private static bool Is(Dictionary<string, string?> tags, string outcome, string mode) =>
        tags["outcome"] == outcome && tags["tier"] == "basic" && tags["mode"] == mode;

    private static Guid Id(System.Text.Json.JsonElement module) => module.GetProperty("id").GetGuid();

    private static async Task<string> SubmitAsync(HttpClient client, Guid moduleId)
    {
        var response = await client.PostAsJsonAsync(
            $"/api/wasm/modules/{moduleId}/executions", new { input = "later" }, WasmWizardApp.Json, Token);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await ApiCalls.Describe(response));
        return (await ApiCalls.BodyAsync(response)).GetProperty("execution_id").GetString()!;
    }

    private static Task CompletedAsync(HttpClient client, string executionId) =>
        Eventually.HoldsAsync(
            async () => (await ApiCalls.BodyAsync(await client.GetAsync($"/api/executions/{executionId}", Token)))
                .GetProperty("status").GetString() == "completed",
            Patience,
            PollEvery);

    /// <summary>The class's host.</summary>
    public sealed class App : IDisposable
    {
        public WasmWizardApp Instance { get; } = new();

        public void Dispose() => Instance.Dispose();
    }
}
