using System.Text.Json;
using WasmWizard.Deployment.Tests.Infrastructure;
using WasmWizard.Tests.Shared;
using YamlDotNet.RepresentationModel;

namespace WasmWizard.Deployment.Tests.Kubernetes;

/// <summary>
/// The alert rules and the Grafana dashboard under <c>k8s/monitoring</c>: every query reads only metrics the services
/// (or Dapr and kube-state-metrics) export, and the alerts an operator was promised exist.
/// </summary>
public sealed class MonitoringTests
{
    private const string Folder = "k8s/monitoring";

    [Fact]
    public void Queries_InAlertsAndDashboard_UseOnlyExportedMetricNames()
    {
        var problems = new Problems();
        var queries = AlertQueries().Concat(DashboardQueries()).ToList();
        foreach (var (where, query) in queries)
        {
            var names = PromQl.MetricNames(query);
            problems.Check(names.Count > 0, where, query, "reads no metric");
            foreach (var name in names.Where(n => !KnownMetrics.IsKnown(n)))
            {
                problems.Add(where, name, "is not a metric the services export (Infrastructure/KnownMetrics.cs)");
            }
        }

        Assert.True(queries.Count > 10, $"only {queries.Count} queries found");
        problems.AssertNone();
    }

    [Fact]
    public void Alerts_CoverErrorsLatencySaturationAuditLagAndChainFailures()
    {
        var alerts = Alerts().ToList();
        var problems = new Problems();
        foreach (var alert in alerts)
        {
            var name = alert.Scalar("alert");
            problems.Check(
                alert.Mapping("labels").Scalar("severity") is "warning" or "critical",
                Folder,
                $"alert {name} labels.severity",
                "must be warning or critical");
            problems.Check(
                alert.Mapping("annotations").Scalar("summary") is { Length: > 0 },
                Folder,
                $"alert {name} annotations.summary",
                "missing");
            problems.Check(
                alert.Scalar("for") is null || GoDuration.TryParse(alert.Scalar("for")) is not null,
                Folder,
                $"alert {name} for",
                "not a duration");
        }

        string[] needed =
        [
            "http_server_request_duration_seconds_count",
            "http_server_request_duration_seconds_bucket",
            "wasmwizard_sandbox_slots_free",
            "wasmwizard_audit_lag_seconds_bucket",
            "wasmwizard_audit_chain_verification_failures_total",
        ];
        foreach (var metric in needed)
        {
            problems.Check(
                alerts.Any(a => PromQl.MetricNames(a.Scalar("expr") ?? "").Contains(metric)),
                Folder,
                metric,
                "no alert watches it");
        }

        problems.Check(
            alerts.Any(a => (a.Scalar("expr") ?? "").Contains("histogram_quantile(0.99", StringComparison.Ordinal)
                && (a.Scalar("expr") ?? "").Contains("http_server_request_duration_seconds_bucket", StringComparison.Ordinal)),
            Folder,
            "p99 latency",
            "no alert on the api's p99 latency");
        problems.AssertNone();
    }

    [Fact]
    public void Dashboard_Panels_ShowEveryAgreedMetricFamily()
    {
        var read = DashboardQueries().SelectMany(q => PromQl.MetricNames(q.Query)).ToHashSet();
        string[] shown =
        [
            "wasmwizard_executions_total",
            "wasmwizard_sandbox_phase_duration_seconds_bucket",
            "wasmwizard_execution_queue_wait_seconds_bucket",
            "wasmwizard_sandbox_module_cache_memory_hits_total",
            "wasmwizard_sandbox_module_cache_misses_total",
            "wasmwizard_sandbox_slots_free",
            "wasmwizard_sandbox_runs_active",
            "wasmwizard_rate_limit_refusals_total",
            "wasmwizard_auth_failures_total",
            "wasmwizard_audit_events_written_total",
            "wasmwizard_audit_lag_seconds_bucket",
        ];

        Assert.Empty(shown.Except(read));
    }

    [Fact]
    public void PodMonitors_ScrapePortsTheWorkloadsDeclare()
    {
        var pods = PodTemplate.Of(KubeManifests.Resources("k8s/base"));
        var monitors = KubeManifests.Resources(Folder).Where(o => o.Kind == "PodMonitor").ToList();

        Assert.NotEmpty(monitors);
        foreach (var monitor in monitors)
        {
            var selected = pods.Where(p => LabelSelectors.Matches(monitor.Spec.Mapping("selector"), p.Labels)).ToList();
            Assert.True(selected.Count > 0, $"{monitor.Where}: PodMonitor {monitor.Name} selects no pods");
            foreach (var endpoint in (monitor.Spec.Sequence("podMetricsEndpoints")?.Children ?? []).OfType<YamlMappingNode>())
            {
                var port = endpoint.Scalar("port");
                // Dapr's injector adds the sidecar container and its port "dapr-metrics" at admission.
                Assert.True(
                    port == "dapr-metrics" || selected.All(p => p.Containers.Any(c => PodTemplate.Declares(c, port ?? ""))),
                    $"{monitor.Where}: port {port} is not declared by every selected pod");
            }
        }
    }

    private static IEnumerable<YamlMappingNode> Alerts() =>
        KubeManifests.Resources(Folder)
            .Where(o => o.Kind == "PrometheusRule")
            .SelectMany(r => r.Spec.Sequence("groups")?.Children ?? [])
            .OfType<YamlMappingNode>()
            .SelectMany(g => g.Sequence("rules")?.Children ?? [])
            .OfType<YamlMappingNode>()
            .Where(r => r.Scalar("alert") is not null);

    private static IEnumerable<(string Where, string Query)> AlertQueries() =>
        Alerts().Select(a => ($"{Folder} alert {a.Scalar("alert")}", a.Scalar("expr") ?? ""));

    private static IEnumerable<(string Where, string Query)> DashboardQueries()
    {
        var path = Path.Combine(RepositoryLocation.Root, Folder, "grafana-dashboard.json");
        using var dashboard = JsonDocument.Parse(File.ReadAllText(path));
        var queries = new List<(string, string)>();
        foreach (var panel in dashboard.RootElement.GetProperty("panels").EnumerateArray())
        {
            var title = panel.GetProperty("title").GetString();
            foreach (var target in panel.GetProperty("targets").EnumerateArray())
            {
                queries.Add(($"grafana-dashboard.json panel \"{title}\"", target.GetProperty("expr").GetString() ?? ""));
            }
        }

        return queries;
    }
}
