using System.Globalization;
using WasmWizard.Deployment.Tests.Infrastructure;
using WasmWizard.Shared.Dapr;
using YamlDotNet.RepresentationModel;

namespace WasmWizard.Deployment.Tests;

/// <summary>
/// Resiliency resources in the shape daprd reads (<c>spec.targets</c>, not the docs' top-level <c>targets</c>), with
/// bounded retries that never repeat an answer the app gave on purpose (DAPR-NOTES §2, §10 pitfall 8).
/// </summary>
public sealed class ResiliencyTests
{
    private static readonly string[] PolicyKinds = ["timeout", "retry", "circuitBreaker"];

    [Fact]
    public void Resiliency_Targets_ReferOnlyToPoliciesOfTheirResource()
    {
        var problems = new Problems();
        var resources = DaprResources.OfKind("Resiliency").ToList();
        problems.Check(resources.Count > 0, DaprResources.Folder, "kind", "no Resiliency");
        foreach (var resiliency in resources)
        {
            problems.Check(
                resiliency.Root.Child("targets") is null,
                resiliency.Where,
                "targets",
                "must sit under spec (spec.targets); at the top level daprd ignores it");
            problems.Check(resiliency.Spec.Mapping("targets") is not null, resiliency.Where, "spec.targets", "missing");
            var policies = resiliency.Spec.Mapping("policies");
            var defined = new Dictionary<string, IEnumerable<string>>
            {
                ["timeout"] = policies.Mapping("timeouts").Keys(),
                ["retry"] = policies.Mapping("retries").Keys(),
                ["circuitBreaker"] = policies.Mapping("circuitBreakers").Keys(),
            };
            foreach (var (path, target) in Targets(resiliency))
            {
                foreach (var kind in PolicyKinds)
                {
                    if (target.Scalar(kind) is { } name)
                    {
                        problems.Check(
                            defined[kind].Contains(name),
                            resiliency.Where,
                            $"{path}.{kind}",
                            $"no {kind} policy named {name} here");
                    }
                }
            }
        }

        problems.AssertNone();
    }

    [Fact]
    public void Resiliency_Policies_AreBoundedAndParse()
    {
        var problems = new Problems();
        foreach (var resiliency in DaprResources.OfKind("Resiliency"))
        {
            var policies = resiliency.Spec.Mapping("policies");
            foreach (var (name, value) in Entries(policies.Mapping("timeouts")))
            {
                CheckDuration(problems, resiliency, $"spec.policies.timeouts.{name}", (value as YamlScalarNode)?.Value);
            }

            foreach (var (name, node) in Entries(policies.Mapping("retries")))
            {
                var retry = node as YamlMappingNode;
                var key = $"spec.policies.retries.{name}";
                problems.Check(
                    int.TryParse(retry.Scalar("maxRetries"), NumberStyles.None, CultureInfo.InvariantCulture, out _),
                    resiliency.Where,
                    $"{key}.maxRetries",
                    "must be set to 0 or more: left out it is -1, retrying forever");
                foreach (var field in new[] { "duration", "maxInterval" })
                {
                    if (retry.Scalar(field) is { } text)
                    {
                        CheckDuration(problems, resiliency, $"{key}.{field}", text);
                    }
                }

                var matching = retry.Mapping("matching");
                var http = matching.Scalar("httpStatusCodes");
                var grpc = matching.Scalar("gRPCStatusCodes");
                CheckCodes(problems, resiliency, $"{key}.matching.httpStatusCodes", http, 100, 599);
                CheckCodes(problems, resiliency, $"{key}.matching.gRPCStatusCodes", grpc, 0, 16);
            }

            foreach (var (name, node) in Entries(policies.Mapping("circuitBreakers")))
            {
                var breaker = node as YamlMappingNode;
                var key = $"spec.policies.circuitBreakers.{name}";
                problems.Check(breaker.Scalar("trip") is { Length: > 0 }, resiliency.Where, $"{key}.trip", "missing");
                foreach (var field in new[] { "timeout", "interval" })
                {
                    if (breaker.Scalar(field) is { } text)
                    {
                        CheckDuration(problems, resiliency, $"{key}.{field}", text);
                    }
                }
            }
        }

        problems.AssertNone();
    }

    [Fact]
    public void Resiliency_AppRetries_NeverRepeatAnAnswerOfTheApp()
    {
        var problems = new Problems();
        foreach (var resiliency in DaprResources.OfKind("Resiliency"))
        {
            var retries = resiliency.Spec.Mapping("policies", "retries");
            var apps = Targets(resiliency).Where(t => t.Path.StartsWith("spec.targets.apps.", StringComparison.Ordinal));
            foreach (var (path, target) in apps)
            {
                if (target.Scalar("retry") is not { } name || retries.Mapping(name) is not { } retry)
                {
                    continue;
                }

                var key = $"spec.policies.retries.{name}.matching.httpStatusCodes";
                var codes = retry.Mapping("matching").Scalar("httpStatusCodes");
                if (codes is null)
                {
                    problems.Add(
                        resiliency.Where,
                        key,
                        $"missing, so {path} retries every answer, 4xx and 500 included, of calls that are POSTs");
                    continue;
                }

                var (parsed, _) = StatusCodeList.Parse(codes, 100, 599);
                foreach (var code in parsed.Where(c => c is >= 400 and < 500 or 500 or 503))
                {
                    problems.Add(
                        resiliency.Where,
                        key,
                        $"retries {code}, an answer the app gave on purpose (used by {path})");
                }
            }
        }

        problems.AssertNone();
    }

    [Fact]
    public void Resiliency_EachApp_HasEachTargetOnceAndKnownNames()
    {
        var run = RunFile.Load();
        var problems = new Problems();
        foreach (var app in run.Apps.Where(a => a.AppId is not null))
        {
            var loaded = run.ResourcesOf(app).ToList();
            var resiliencies = loaded.Where(r => r.Kind == "Resiliency").ToList();
            var components = loaded.Where(r => r.Kind == "Component").Select(c => c.Name).ToHashSet();
            var targets = resiliencies.SelectMany(r => Targets(r).Select(t => (Resource: r, t.Path))).ToList();
            foreach (var twice in targets.GroupBy(t => t.Path).Where(g => g.Count() > 1))
            {
                problems.Add(
                    string.Join(" and ", twice.Select(t => t.Resource.Where)),
                    twice.Key,
                    $"both reach {app.AppId}; daprd keeps only the later target whole, dropping the other's policies");
            }

            foreach (var (resource, path) in targets)
            {
                var (group, name) = (path.Split('.')[2], path.Split('.')[3]);
                var known = group switch
                {
                    "apps" => KnownApps.Ids.Contains(name),
                    "components" => components.Contains(name),
                    "actors" => name == DaprNames.RateLimitActorType,
                    _ => false,
                };
                problems.Check(
                    known,
                    resource.Where,
                    path,
                    $"{name} is not a {group[..^1]} {app.AppId}'s sidecar knows");
            }

            var names = resiliencies.SelectMany(r => PolicyNames(r).Select(n => (Resource: r, Name: n)));
            foreach (var twice in names.GroupBy(n => n.Name).Where(g => g.Count() > 1))
            {
                problems.Add(
                    string.Join(" and ", twice.Select(t => t.Resource.Where)),
                    $"spec.policies.*.{twice.Key}",
                    $"both define it for {app.AppId}; one silently replaces the other");
            }
        }

        problems.AssertNone();
    }

    [Theory]
    [InlineData(DaprNames.AuditAppId)]
    [InlineData(DaprNames.ExecutorAppId)]
    public void Resiliency_Deliveries_RetryBoundedThenDeadLetterBeforeRedelivery(string appId)
    {
        var run = RunFile.Load();
        var problems = new Problems();
        var app = run.App(appId);
        Assert.NotNull(app);
        var loaded = run.ResourcesOf(app);
        var resiliency = loaded.FirstOrDefault(r => r.Kind == "Resiliency"
            && r.Spec.Mapping("targets", "components", DaprNames.PubSub, "inbound") is not null);
        if (resiliency is null)
        {
            problems.Add(
                DaprResources.Folder,
                $"spec.targets.components.{DaprNames.PubSub}.inbound",
                $"no policy reaches {appId}: with a dead-letter topic and no retry, its first failed "
                    + "delivery goes straight to the dead letters");
            problems.AssertNone();
            return;
        }

        var inbound = resiliency.Spec.Mapping("targets", "components", DaprNames.PubSub, "inbound");
        var policies = resiliency.Spec.Mapping("policies");
        var retry = policies.Mapping("retries", inbound.Scalar("retry") ?? "");
        var timeout = GoDuration.TryParse(policies.Mapping("timeouts").Scalar(inbound.Scalar("timeout") ?? ""));
        var retries = int.TryParse(retry.Scalar("maxRetries"), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : -1;
        var pause = retry.Scalar("policy") is null or "constant"
            ? GoDuration.TryParse(retry.Scalar("duration") ?? "5s")
            : null;
        var key = $"spec.targets.components.{DaprNames.PubSub}.inbound";
        problems.Check(
            retries is > 0,
            resiliency.Where,
            $"{key}.retry",
            "needs a retry policy with a bounded, positive maxRetries");
        problems.Check(
            timeout is not null,
            resiliency.Where,
            $"{key}.timeout",
            "needs a timeout, or one hung delivery holds its place");
        problems.Check(
            pause is not null,
            resiliency.Where,
            $"{key}.retry",
            "use a constant policy, so the worst case can be checked");

        if (appId == DaprNames.ExecutorAppId && timeout is { } deliveryTimeout)
        {
            // A delivery may wait 30 s for capacity and compile for 30 s before the enterprise tier's 60 s run.
            problems.Check(
                deliveryTimeout >= TimeSpan.FromSeconds(120),
                resiliency.Where,
                $"{key}.timeout",
                $"{deliveryTimeout} cuts off the longest execution request (30 s wait + 30 s compile + 60 s run)");
        }

        var pubsub = loaded.FirstOrDefault(c => c.Kind == "Component" && c.Name == DaprNames.PubSub);
        var processing = GoDuration.TryParse(pubsub?.MetadataValue("processingTimeout"));
        if (retries > 0 && timeout is { } t && pause is { } p && processing is { } limit)
        {
            var worst = (t * (retries + 1)) + (p * retries);
            problems.Check(
                limit > worst,
                pubsub!.Where,
                "spec.metadata[processingTimeout]",
                $"{limit} must exceed one delivery's whole retry ({worst} in {resiliency.Where}), "
                    + "or it is redelivered while still being retried and stored twice");
        }

        problems.AssertNone();
    }

    private static IEnumerable<(string Path, YamlMappingNode Target)> Targets(DaprResource resiliency)
    {
        var targets = resiliency.Spec.Mapping("targets");
        foreach (var group in new[] { "apps", "actors" })
        {
            foreach (var (name, node) in Entries(targets.Mapping(group)))
            {
                if (node is YamlMappingNode target)
                {
                    yield return ($"spec.targets.{group}.{name}", target);
                }
            }
        }

        foreach (var (name, node) in Entries(targets.Mapping("components")))
        {
            foreach (var direction in new[] { "inbound", "outbound" })
            {
                if ((node as YamlMappingNode).Mapping(direction) is { } target)
                {
                    yield return ($"spec.targets.components.{name}.{direction}", target);
                }
            }
        }
    }

    private static IEnumerable<string> PolicyNames(DaprResource resiliency)
    {
        var policies = resiliency.Spec.Mapping("policies");
        return new[] { "timeouts", "retries", "circuitBreakers" }.SelectMany(kind => policies.Mapping(kind).Keys());
    }

    private static IEnumerable<(string Name, YamlNode Value)> Entries(YamlMappingNode? node) =>
        node?.Children.Select(c => ((c.Key as YamlScalarNode)?.Value ?? "", c.Value)) ?? [];

    private static void CheckDuration(Problems problems, DaprResource resource, string key, string? text) =>
        problems.Check(
            GoDuration.TryParse(text) is not null,
            resource.Where,
            key,
            $"\"{text}\" is not a Go duration; daprd would refuse the whole resource");

    private static void CheckCodes(
        Problems problems,
        DaprResource resource,
        string key,
        string? text,
        int lowest,
        int highest)
    {
        if (text is null)
        {
            return;
        }

        var (_, error) = StatusCodeList.Parse(text, lowest, highest);
        problems.Check(error is null, resource.Where, key, $"{error}; daprd would refuse the whole resource");
    }
}
