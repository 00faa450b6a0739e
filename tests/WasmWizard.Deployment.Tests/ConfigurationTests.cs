using System.Globalization;
using WasmWizard.Deployment.Tests.Infrastructure;
using WasmWizard.Shared.Dapr;
using YamlDotNet.RepresentationModel;

namespace WasmWizard.Deployment.Tests;

/// <summary>
/// The sidecar Configurations: tracing written so daprd reads it as meant, and the rate-limit middleware only where it
/// sees outside traffic and never deliveries to an app (DAPR-NOTES §2).
/// </summary>
public sealed class ConfigurationTests
{
    private const string RateLimitType = "middleware.http.ratelimit";

    [Fact]
    public void Configurations_Tracing_IsReadAsWritten()
    {
        var problems = new Problems();
        var configurations = DaprResources.OfKind("Configuration").ToList();
        problems.Check(configurations.Count > 0, DaprResources.Folder, "kind", "no Configuration");
        foreach (var config in configurations)
        {
            var tracing = config.Spec.Mapping("tracing");
            var rate = tracing.ScalarNode("samplingRate");
            problems.Check(
                rate is not null
                    && rate.IsQuoted()
                    && double.TryParse(rate.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var r)
                    && r is >= 0 and <= 1,
                config.Where,
                "spec.tracing.samplingRate",
                $"{rate?.Value ?? "(unset)"} must be a quoted string from \"0\" to \"1\"; daprd reads a string, and an "
                    + "unparsable one means 0.0001");

            var otel = tracing.Mapping("otel");
            var secure = otel.ScalarNode("isSecure");
            problems.Check(
                secure is not null && !secure.IsQuoted() && secure.Value is "true" or "false",
                config.Where,
                "spec.tracing.otel.isSecure",
                "must be set, to true or false: when left out daprd assumes TLS");
            var endpoint = otel.Scalar("endpointAddress");
            problems.Check(
                endpoint is not null
                    && !endpoint.Contains("://", StringComparison.Ordinal)
                    && endpoint.Contains(':', StringComparison.Ordinal),
                config.Where,
                "spec.tracing.otel.endpointAddress",
                $"\"{endpoint}\" must be host:port, without a scheme");
            problems.Check(
                otel.Scalar("protocol") is "grpc" or "http",
                config.Where,
                "spec.tracing.otel.protocol",
                "must be grpc or http");

            problems.Check(
                config.Spec.Mapping("metrics").Scalar("enabled") == "true",
                config.Where,
                "spec.metrics.enabled",
                "must be true");
            var apiLogging = config.Spec.Mapping("logging", "apiLogging");
            problems.Check(
                apiLogging.Scalar("enabled") == "true",
                config.Where,
                "spec.logging.apiLogging.enabled",
                "must be true");
            problems.Check(
                apiLogging.Scalar("omitHealthChecks") == "true",
                config.Where,
                "spec.logging.apiLogging.omitHealthChecks",
                "must be true, or health probes flood the API log");
        }

        problems.AssertNone();
    }

    [Fact]
    public void Configurations_EveryOne_IsTheConfigurationOfSomeApp()
    {
        var run = RunFile.Load();
        var problems = new Problems();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var app in run.Apps)
        {
            var file = run.ConfigFile(app);
            if (file is null)
            {
                problems.Add(
                    RunFile.FileName,
                    $"{app.Key}.configFilePath",
                    "none, so the sidecar falls back to ~/.dapr/config.yaml");
                continue;
            }

            var configs = DaprResources.All.Where(r => r.File == DaprResources.Relative(file)).ToList();
            problems.Check(
                configs.Count == 1 && configs[0].Kind == "Configuration",
                RunFile.FileName,
                $"{app.Key}.configFilePath",
                $"{DaprResources.Relative(file)} must hold exactly one Configuration");
            used.Add(DaprResources.Relative(file));
        }

        foreach (var config in DaprResources.OfKind("Configuration").Where(c => !used.Contains(c.File)))
        {
            problems.Add(config.Where, "(file)", "no app in dapr.yaml uses this Configuration");
        }

        problems.AssertNone();
    }

    [Fact]
    public void Pipelines_EveryHandler_IsAComponentOfItsApps()
    {
        var run = RunFile.Load();
        var problems = new Problems();
        foreach (var app in run.Apps.Where(a => a.AppId is not null))
        {
            if (ConfigurationOf(run, app) is not { } config)
            {
                continue;
            }

            var components = run.ResourcesOf(app).Where(r => r.Kind == "Component").ToList();
            foreach (var (pipeline, name, type) in Handlers(config))
            {
                problems.Check(
                    components.Any(c => c.Name == name && c.Type == type),
                    config.Where,
                    $"spec.{pipeline}.handlers[{name}]",
                    $"no component {name} of type {type} reaches {app.AppId}'s sidecar; it would not start");
            }
        }

        problems.AssertNone();
    }

    [Fact]
    public void RateLimit_Middleware_SitsOnlyInTheApiSidecarsHttpPipeline()
    {
        var run = RunFile.Load();
        var problems = new Problems();
        var limiters = DaprResources.OfKind("Component").Where(c => c.Type == RateLimitType).ToList();
        problems.Check(limiters.Count > 0, DaprResources.Folder, "spec.type", $"no {RateLimitType} component");
        foreach (var limiter in limiters)
        {
            problems.Check(
                limiter.Scopes.SequenceEqual([DaprNames.ApiAppId]),
                limiter.Where,
                "scopes",
                $"must be [{DaprNames.ApiAppId}] alone");
        }

        foreach (var config in DaprResources.OfKind("Configuration"))
        {
            foreach (var (pipeline, name, _) in Handlers(config).Where(h => h.Type == RateLimitType))
            {
                problems.Check(
                    pipeline == "httpPipeline",
                    config.Where,
                    $"spec.{pipeline}.handlers[{name}]",
                    "appHttpPipeline carries pub/sub deliveries and actor calls into the app: "
                        + "a limiter there refuses them");
                var users = run.Apps
                    .Where(a => run.ConfigFile(a) is { } f && DaprResources.Relative(f) == config.File)
                    .ToList();
                problems.Check(
                    users.Count > 0 && users.All(a => a.AppId == DaprNames.ApiAppId),
                    config.Where,
                    $"spec.{pipeline}.handlers[{name}]",
                    $"used by {string.Join(", ", users.Select(u => u.AppId))}; "
                        + "only the api's sidecar is in front of outside traffic");
            }
        }

        var api = run.App(DaprNames.ApiAppId);
        var apiConfig = api is null ? null : ConfigurationOf(run, api);
        problems.Check(
            apiConfig is not null
                && Handlers(apiConfig).Any(h => h.Pipeline == "httpPipeline" && h.Type == RateLimitType),
            apiConfig?.Where ?? RunFile.FileName,
            "spec.httpPipeline",
            $"the api's Configuration must list the {RateLimitType} handler");
        problems.AssertNone();
    }

    private static DaprResource? ConfigurationOf(RunFile run, RunFileApp app) =>
        run.ConfigFile(app) is { } file
            ? DaprResources.OfKind("Configuration").FirstOrDefault(c => c.File == DaprResources.Relative(file))
            : null;

    private static IEnumerable<(string Pipeline, string? Name, string? Type)> Handlers(DaprResource config)
    {
        foreach (var pipeline in new[] { "httpPipeline", "appHttpPipeline" })
        {
            var handlers = config.Spec.Mapping(pipeline).Sequence("handlers")?.Children.OfType<YamlMappingNode>() ?? [];
            foreach (var handler in handlers)
            {
                yield return (pipeline, handler.Scalar("name"), handler.Scalar("type"));
            }
        }
    }
}
