using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace WasmWizard.Shared.Hosting;

/// <summary>
/// How every host traces: the incoming request's span continues the caller's W3C <c>traceparent</c>, outgoing HTTP
/// (Dapr invocation, publishing through the sidecar) carries it on, and spans leave the process over OTLP only when
/// <see cref="OtlpEndpointKey"/> names a collector; only then do our own sources (<c>WasmWizard.*</c>) make spans.
/// </summary>
/// <remarks>
/// Outgoing calls are traced by .NET's own HTTP handler (source <c>System.Net.Http</c>), which adds the client span's
/// <c>traceparent</c> and leaves one a caller set alone. OpenTelemetry's HttpClient instrumentation (1.21) is left
/// out: it replaces a <c>traceparent</c> the caller set with one of a new trace.
/// </remarks>
public static class ServiceTelemetry
{
    /// <summary>The standard OpenTelemetry setting (environment variable or configuration key) of the collector.</summary>
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The standard setting of the OTLP transport: <c>grpc</c> (the default) or <c>http/protobuf</c>.</summary>
    public const string OtlpProtocolKey = "OTEL_EXPORTER_OTLP_PROTOCOL";

    /// <summary>The standard setting that overrides the service name.</summary>
    public const string ServiceNameKey = "OTEL_SERVICE_NAME";

    // Every activity source of ours, by prefix (the sandbox's is "WasmWizard.Sandbox").
    private const string WasmWizardSources = "WasmWizard.*";

    // HttpClient's client spans, built into .NET since 9.
    private const string HttpClientSource = "System.Net.Http";

    /// <summary>
    /// The name this host reports in traces: <c>api</c>, <c>executor</c>, <c>audit</c> or <c>standalone</c>, from
    /// the application (entry assembly) name, unless <see cref="ServiceNameKey"/> sets one.
    /// </summary>
    public static string ServiceName(IHostEnvironment environment, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(configuration);
        if (configuration[ServiceNameKey] is { Length: > 0 } configured)
        {
            return configured;
        }

        return StructuredLogging.ServiceName(environment);
    }

    /// <summary>
    /// Names the service in the telemetry's resource: on spans, and on metrics as Prometheus's <c>target_info</c>.
    /// </summary>
    internal static ResourceBuilder AddWasmWizardService(this ResourceBuilder resource) =>
        resource.AddDetector(services => new ServiceNameDetector(ServiceName(
            services.GetRequiredService<IHostEnvironment>(), services.GetRequiredService<IConfiguration>())));

    /// <summary>Adds the sources, the instrumentation, the service name and the optional OTLP export.</summary>
    internal static TracerProviderBuilder AddWasmWizardTracing(this TracerProviderBuilder tracing)
    {
        // Settings are read when the provider is built: test hosts and command lines add them after AddServiceDefaults.
        tracing
            .ConfigureResource(resource => resource.AddWasmWizardService())
            .AddAspNetCoreInstrumentation()
            .AddProcessor(services => OtlpExport(services.GetRequiredService<IConfiguration>()));

        // Request spans always exist (their trace id names the request); the sandbox's and HttpClient's are only made
        // when they can leave the process, so without a collector a run pays for no span at all.
        return ((IDeferredTracerProviderBuilder)tracing).Configure((services, builder) =>
        {
            if (OtlpEndpoint(services.GetRequiredService<IConfiguration>()) is not null)
            {
                builder.AddSource(WasmWizardSources, HttpClientSource);
            }
        });
    }

    /// <summary>
    /// Keeps the instruments of meters another host's <see cref="IMeterFactory"/> made out of this host's metrics.
    /// Meters are matched by name process-wide, so two hosts in one process (test hosts, an embedder) would otherwise
    /// report each other's instruments, and the first of two same-named instruments would hide the second.
    /// </summary>
    internal static MeterProviderBuilder OnlyThisHostsMeters(this MeterProviderBuilder metrics) =>
        ((IDeferredMeterProviderBuilder)metrics).Configure((services, builder) =>
        {
            var mine = services.GetRequiredService<IMeterFactory>();
            builder.AddView(instrument => instrument.Meter.Scope is IMeterFactory factory && factory != mine
                ? MetricStreamConfiguration.Drop
                : null);
        });

    private static string? OtlpEndpoint(IConfiguration configuration) =>
        configuration[OtlpEndpointKey] is { Length: > 0 } endpoint ? endpoint : null;

    private static BaseProcessor<Activity> OtlpExport(IConfiguration configuration)
    {
        if (OtlpEndpoint(configuration) is not { } endpoint)
        {
            // No collector named: export nothing rather than try the exporter's default address.
            return new NoExport();
        }

        var options = new OtlpExporterOptions
        {
            Endpoint = new Uri(endpoint),
            Protocol = configuration[OtlpProtocolKey] == "http/protobuf"
                ? OtlpExportProtocol.HttpProtobuf
                : OtlpExportProtocol.Grpc,
        };
        if (options.Protocol == OtlpExportProtocol.HttpProtobuf && options.Endpoint.AbsolutePath == "/")
        {
            // The base endpoint names the collector; over HTTP, traces go to its signal path.
            options.Endpoint = new Uri(options.Endpoint, "v1/traces");
        }

        return new BatchActivityExportProcessor(new OtlpTraceExporter(options));
    }

    private sealed class NoExport : BaseProcessor<Activity>;

    private sealed class ServiceNameDetector(string name) : IResourceDetector
    {
        public Resource Detect() => ResourceBuilder.CreateEmpty().AddService(name).Build();
    }
}
