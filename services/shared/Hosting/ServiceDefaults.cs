using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Serilog;
using Serilog.Formatting;
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

    // The category of ASP.NET Core's "Request starting/finished" lines.
    private const string HostingDiagnostics = "Microsoft.AspNetCore.Hosting.Diagnostics";

    // Every meter of ours: the prefix matches them all (the sandbox's is "WasmWizard.Sandbox").
    private const string WasmWizardMeters = "WasmWizard.*";

    /// <summary>
    /// Adds Serilog (levels from the <c>Serilog</c> section, format from <c>Logs:Format</c>), health checks, tracing
    /// and metrics.
    /// </summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        // The final configuration (test hosts and command lines add to it after this call), not the builder's. The
        // host keeps its own logger rather than replacing the static one, so two hosts in a process (tests) never
        // write into each other's sinks. The formatter is a service so that any other sink (a test's) writes what
        // stdout gets. ASP.NET Core's own request lines name the whole URL, query string included, which can carry
        // a credential: the request summary (UseRequestLogging) replaces them, unless the configuration says
        // otherwise.
        var service = StructuredLogging.ServiceName(builder.Environment);
        builder.Services.AddHttpContextAccessor();
        builder.Services.TryAddSingleton(services =>
            StructuredLogging.CreateFormatter(services.GetRequiredService<IConfiguration>()));
        builder.Services.AddSerilog(
            (services, logger) => logger
                .MinimumLevel.Override(HostingDiagnostics, Serilog.Events.LogEventLevel.Warning)
                .ReadFrom.Configuration(services.GetRequiredService<IConfiguration>())
                .ReadFrom.Services(services)
                .Enrich.FromLogContext()
                .Enrich.WithProperty(StructuredLogging.ServiceProperty, service)
                .Enrich.With(new RequestLogEnricher(services.GetRequiredService<IHttpContextAccessor>()))
                .WriteTo.Console(services.GetRequiredService<ITextFormatter>()),
            preserveStaticLogger: true);
        builder.Services.AddHealthChecks();

        // Tracing: see ServiceTelemetry (W3C context in and out, our sources, OTLP when configured); the trace id also
        // ties a response (X-Request-Id) to its logs. Metrics: ASP.NET Core's, the runtime's and ours, scraped at
        // /metrics; every scrape is fresh (no cached answer), so a scrape right after a run shows it.
        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddWasmWizardTracing())
            .WithMetrics(metrics => metrics
                .ConfigureResource(resource => resource.AddWasmWizardService())
                .AddAspNetCoreInstrumentation()
                .AddMeter(RuntimeMeter, WasmWizardMeters)
                .OnlyThisHostsMeters()
                .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));
        builder.Services.Configure<KestrelServerOptions>(kestrel => kestrel.AddServerHeader = false);
        return builder;
    }

    /// <summary>
    /// Maps <c>/metrics</c>, <c>/health</c> (every check, with its time and data), <c>/health/live</c> (the process
    /// answers; no check runs) and <c>/health/ready</c> (the dependencies answer: 503 when one does not; a degraded
    /// one, such as a full sandbox, still answers 200). They are mapped in every environment because Prometheus and the
    /// Kubernetes probes need them.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = HealthReportWriter.WriteAsync });
        app.MapHealthChecks("/health/live", new HealthCheckOptions
        {
            Predicate = _ => false,
            ResponseWriter = HealthReportWriter.WriteAsync,
        });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = HealthReportWriter.WriteAsync,
        });
        return app;
    }
}
