using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Serilog;
using WasmWizard.Shared.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>What every Wasm Wizard host has: structured logging, health checks and their endpoints.</summary>
public static class ServiceDefaults
{
    /// <summary>Tag of the health checks that decide readiness (dependencies), as opposed to liveness.</summary>
    public const string ReadyTag = "ready";

    /// <summary>Where every service serves its metrics, in the Prometheus text format.</summary>
    public const string MetricsPath = "/metrics";

    // .NET's own runtime meter (GC, thread pool, exceptions), built in since .NET 9.
    private const string RuntimeMeter = "System.Runtime";

    // Every meter of ours: the prefix matches them all (the sandbox's is "WasmWizard.Sandbox").
    private const string WasmWizardMeters = "WasmWizard.*";

    /// <summary>Adds Serilog (configured from the <c>Serilog</c> section) and health checks.</summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        // The final configuration (test hosts and command lines add to it after this call), not the builder's. The
        // host keeps its own logger rather than replacing the static one, so two hosts in a process (tests) never
        // write into each other's sinks.
        builder.Services.AddSerilog(
            (services, logger) => logger
                .ReadFrom.Configuration(services.GetRequiredService<IConfiguration>())
                .ReadFrom.Services(services)
                .Enrich.FromLogContext()
                .WriteTo.Console(),
            preserveStaticLogger: true);
        builder.Services.AddHealthChecks();

        // Tracing: see ServiceTelemetry (W3C context in and out, our sources, OTLP when configured); the trace id also
        // ties a response (X-Request-Id) to its logs. Metrics: ASP.NET Core's, the runtime's and ours, scraped at
        // /metrics; every scrape is fresh (no cached answer), so a scrape right after a run shows it.
        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddWasmWizardTracing())
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddMeter(RuntimeMeter, WasmWizardMeters)
                .OnlyThisHostsMeters()
                .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));
        builder.Services.Configure<KestrelServerOptions>(kestrel => kestrel.AddServerHeader = false);
        return builder;
    }

    /// <summary>
    /// Maps <c>/metrics</c>, <c>/health</c> (all checks), <c>/health/live</c> (the process answers) and
    /// <c>/health/ready</c> (dependencies answer). They are mapped in every environment because Prometheus and the
    /// Kubernetes probes need them.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = WriteReport });
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteReport });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = WriteReport,
        });
        return app;
    }

    private static Task WriteReport(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString().ToLowerInvariant(),
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new { status = e.Value.Status.ToString().ToLowerInvariant(), description = e.Value.Description }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}
