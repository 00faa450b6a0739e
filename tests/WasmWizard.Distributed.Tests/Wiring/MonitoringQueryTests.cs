using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using WasmWizard.Distributed.Tests.Infrastructure;
using WasmWizard.Tests.Shared;
using static WasmWizard.Distributed.Tests.Infrastructure.ExecutionCalls;

namespace WasmWizard.Distributed.Tests.Wiring;

/// <summary>
/// The alert rules and the Grafana dashboard under <c>k8s/monitoring</c> read metrics the three services really export:
/// after the traffic an operator's dashboard is built for (runs, queued runs, refusals, failed credentials, audited
/// actions), every <c>wasmwizard_*</c> and <c>http_server_*</c> name a query uses is in some service's <c>/metrics</c>.
/// Deployment.Tests checks the same queries offline against a list; this is the live half.
/// </summary>
[Collection(MetricsCollection.Name)]
public sealed partial class MonitoringQueryTests(QueuedExecutionComposition composition)
    : IClassFixture<QueuedExecutionComposition>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryService_ServesPrometheusText_TheExecutorItsSandboxRuns()
    {
        var (_, user) = await TestUsers.CreateAsync(composition, "pro");
        using var _ = user;
        var module = await UploadAsync(user);
        using var run = await user.PostAsJsonAsync($"/api/wasm/modules/{module}/execute", new { input = "counted" }, Token);

        var scrapes = await ScrapeAllAsync();

        Assert.Equal(HttpStatusCode.OK, run.StatusCode);
        Assert.All(scrapes, s => Assert.Contains("http_server_request_duration_seconds_count", s.Names));
        Assert.True(scrapes[1].Has("wasmwizard_sandbox_runs_total", ("outcome", "exited")));
    }

    [Fact]
    public async Task DashboardAndAlertQueries_ReadOnlyMetricsTheServicesExport()
    {
        var (_, user) = await TestUsers.CreateAsync(composition, "basic");
        using var _ = user;
        var module = await UploadAsync(user);
        using (var run = await user.PostAsJsonAsync($"/api/wasm/modules/{module}/execute", new { input = "sync" }, Token))
        {
            Assert.Equal(HttpStatusCode.OK, run.StatusCode);
        }

        using (var submitted = await SubmitAsync(user, module, "queued"))
        {
            await PollCompletedAsync(user, (await BodyAsync(submitted)).GetProperty("execution_id").GetGuid());
        }

        using (var wrongKey = TestUsers.Client(composition, "ww_" + new string('x', 43)))
        using (var refused = await wrongKey.GetAsync("/api/wasm/modules", Token))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        // A user of its own spends its burst: the first user's polls must not be refused.
        var (_, spender) = await TestUsers.CreateAsync(composition, "free");
        using (spender)
        {
            await TestUsers.SpendBurstAsync(spender);
        }

        // The audit service writes the run's event as the broker delivers it.
        IReadOnlyList<PrometheusScrape> scrapes = [];
        await Eventually.HoldsAsync(
            async () =>
            {
                scrapes = await ScrapeAllAsync();
                return scrapes[2].Has("wasmwizard_audit_lag_seconds_bucket");
            },
            TimeSpan.FromSeconds(10),
            TimeSpan.FromMilliseconds(20));
        var exported = scrapes.SelectMany(s => s.Names).ToHashSet(StringComparer.Ordinal);
        var queried = MonitoringFiles().SelectMany(QueriedNames).ToHashSet(StringComparer.Ordinal);

        Assert.True(queried.Count >= 10, $"only {queried.Count} of our metric names found in k8s/monitoring");
        Assert.Empty(queried.Except(exported).Order(StringComparer.Ordinal));
    }

    private async Task<IReadOnlyList<PrometheusScrape>> ScrapeAllAsync()
    {
        using var api = composition.Api.CreateClient();
        using var executor = composition.Executor.CreateClient();
        using var audit = composition.Audit.CreateClient();
        return
        [
            await PrometheusScrape.OfAsync(api), await PrometheusScrape.OfAsync(executor), await PrometheusScrape.OfAsync(audit),
        ];
    }

    private static IEnumerable<string> MonitoringFiles() =>
        Directory.EnumerateFiles(Path.Combine(RepositoryLocation.Root, "k8s", "monitoring"))
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal));

    // Names other exporters provide (Dapr's sidecars, kube-state-metrics, Prometheus's own `up`) are not ours to check.
    private static IEnumerable<string> QueriedNames(string file) =>
        OurMetricName().Matches(File.ReadAllText(file)).Select(m => m.Value);

    [GeneratedRegex(@"\b(wasmwizard|http_server)_[a-z0-9_]+\b")]
    private static partial Regex OurMetricName();
}
