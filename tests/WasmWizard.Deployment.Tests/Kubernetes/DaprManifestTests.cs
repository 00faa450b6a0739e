using WasmWizard.Deployment.Tests.Infrastructure;
using WasmWizard.Tests.Shared;
using WasmWizard.Shared.Dapr;
using YamlDotNet.RepresentationModel;

namespace WasmWizard.Deployment.Tests.Kubernetes;

/// <summary>
/// The Dapr resources of <c>k8s/base</c> against <c>components/</c>, which the other tests check against the code:
/// what holds locally must hold in the cluster, apart from where Redis and PostgreSQL are and how secrets arrive.
/// </summary>
public sealed class DaprManifestTests
{
    /// <summary>Metadata that names a local address in components/ and comes from a Secret in the cluster.</summary>
    private static readonly HashSet<string> s_fromSecretsInCluster = new(StringComparer.Ordinal) { "redisHost" };

    private static IReadOnlyList<DaprResource> Cluster => KubeManifests.Resources("k8s/base");

    [Fact]
    public void Components_InTheCluster_MatchComponentsFolderOnScopesTopicsAndTimeouts()
    {
        var problems = new Problems();
        var cluster = Cluster.Where(o => o.Kind == "Component").ToList();
        foreach (var local in DaprResources.OfKind("Component").Where(c => c.Type != "secretstores.local.file"))
        {
            var twin = cluster.FirstOrDefault(c => c.Name == local.Name && c.Type == local.Type);
            if (twin is null)
            {
                // components/postgres holds an alternative state store; the cluster uses the Redis one.
                problems.Check(
                    cluster.Any(c => c.Name == local.Name),
                    local.Where,
                    "metadata.name",
                    $"no component {local.Name} in k8s/base");
                continue;
            }

            problems.Check(
                twin.Scopes.Order().SequenceEqual(local.Scopes.Order()),
                twin.Where,
                "scopes",
                $"[{string.Join(", ", twin.Scopes)}] differ from {local.Where}'s [{string.Join(", ", local.Scopes)}]");
            foreach (var (name, item) in local.Metadata)
            {
                var theirs = twin.Metadata.GetValueOrDefault(name);
                var key = $"spec.metadata[{name}]";
                if (item.Child("secretKeyRef") is not null || s_fromSecretsInCluster.Contains(name))
                {
                    problems.Check(
                        theirs?.Child("secretKeyRef") is not null,
                        twin.Where,
                        key,
                        "must come from a Secret (secretKeyRef), never inline");
                    continue;
                }

                problems.Check(
                    Squeeze(theirs.Scalar("value")) == Squeeze(item.Scalar("value")),
                    twin.Where,
                    key,
                    $"\"{theirs.Scalar("value")}\" differs from {local.Where}'s \"{item.Scalar("value")}\"");
            }

            foreach (var (name, item) in twin.Metadata.Where(m => !local.Metadata.ContainsKey(m.Key)))
            {
                problems.Check(
                    item.Child("secretKeyRef") is not null,
                    twin.Where,
                    $"spec.metadata[{name}]",
                    "is not in components/; only settings from Secrets may be added in the cluster");
            }

            // Without auth.secretStore the operator resolves secretKeyRef from the namespace's Secrets; naming a
            // store would need a secret store component that the cluster does not have.
            problems.Check(twin.Root.Mapping("auth") is null, twin.Where, "auth", "must be left out in the cluster");
        }

        problems.AssertNone();
    }

    [Fact]
    public void Resiliency_InTheCluster_EqualsComponentsFolder()
    {
        var problems = new Problems();
        var cluster = Cluster.Where(o => o.Kind == "Resiliency").ToList();
        foreach (var local in DaprResources.OfKind("Resiliency"))
        {
            var twin = cluster.FirstOrDefault(c => c.Name == local.Name);
            problems.Check(twin is not null, local.Where, "metadata.name", $"no Resiliency {local.Name} in k8s/base");
            problems.Check(
                twin is null || Canonical(twin.Root.Child("scopes")) == Canonical(local.Root.Child("scopes")),
                twin?.Where ?? "k8s/base",
                "scopes",
                $"differ from {local.Where}");
            problems.Check(
                twin is null || Canonical(twin.Spec) == Canonical(local.Spec),
                twin?.Where ?? "k8s/base",
                "spec",
                $"differs from {local.Where}");
        }

        problems.Check(cluster.Count == DaprResources.OfKind("Resiliency").Count(), "k8s/base", "Resiliency", "count differs");
        problems.AssertNone();
    }

    [Fact]
    public void Configurations_Pipelines_MatchTheRunFile_AndNameComponentsScopedToTheirApps()
    {
        var problems = new Problems();
        var run = RunFile.Load();
        var configurations = Cluster.Where(o => o.Kind == "Configuration").ToList();
        var components = Cluster.Where(o => o.Kind == "Component").ToList();
        var pods = PodTemplate.Of(Cluster).Where(p => p.DaprAppId is not null).ToList();
        foreach (var app in KnownApps.Ids)
        {
            var localFile = run.App(app) is { } runApp ? run.ConfigFile(runApp) : null;
            var local = DaprResources.All.FirstOrDefault(r => localFile is not null
                && Path.GetFullPath(Path.Combine(RepositoryLocation.Root, r.File)) == localFile);
            var name = pods.FirstOrDefault(p => p.DaprAppId == app)?.Annotations.GetValueOrDefault("dapr.io/config");
            var twin = configurations.FirstOrDefault(c => c.Name == name);
            problems.Check(local is not null && twin is not null, "k8s/base", app, "configuration not found locally or in k8s");
            if (local is null || twin is null)
            {
                continue;
            }

            problems.Check(
                Handlers(twin).SequenceEqual(Handlers(local)),
                twin.Where,
                "spec.httpPipeline",
                $"[{string.Join(", ", Handlers(twin))}] differ from {local.Where}'s [{string.Join(", ", Handlers(local))}]");
            problems.Check(
                Canonical(twin.Spec.Child("metrics")) == Canonical(local.Spec.Child("metrics")),
                twin.Where,
                "spec.metrics",
                $"differs from {local.Where}");
        }

        foreach (var pod in pods)
        {
            var name = pod.Annotations.GetValueOrDefault("dapr.io/config");
            var configuration = configurations.FirstOrDefault(c => c.Name == name);
            foreach (var handler in configuration is null ? [] : Handlers(configuration))
            {
                problems.Check(
                    components.Any(c => c.Name == handler && c.AppliesTo(pod.DaprAppId!)),
                    configuration!.Where,
                    $"spec.httpPipeline handler {handler}",
                    $"no component of that name is scoped to {pod.DaprAppId}, whose pods use this configuration");
            }
        }

        problems.Check(
            pods.Any(p => p.DaprAppId == "ingress"
                && configurations.Any(c => c.Name == p.Annotations.GetValueOrDefault("dapr.io/config")
                    && Handlers(c).Any(h => components.Any(k => k.Name == h && k.Type == "middleware.http.ratelimit")))),
            "k8s/base/ingress",
            "dapr.io/config",
            "the ingress controller's sidecar must run a rate-limit middleware in its httpPipeline");
        problems.Check(
            components.Where(c => c.Name == DaprNames.PubSub || c.Name == DaprNames.StateStore).Count() == 2,
            "k8s/base/dapr",
            "Component",
            $"{DaprNames.PubSub} and {DaprNames.StateStore} are both needed");
        problems.AssertNone();
    }

    private static List<string> Handlers(DaprResource configuration) =>
        (configuration.Spec.Mapping("httpPipeline")?.Sequence("handlers")?.Children ?? [])
            .OfType<YamlMappingNode>()
            .Select(h => h.Scalar("name") ?? "")
            .ToList();

    /// <summary>A value without white space, as daprd reads the scope lists (it removes every space).</summary>
    private static string? Squeeze(string? value) =>
        value is null ? null : string.Concat(value.Where(c => !char.IsWhiteSpace(c)));

    /// <summary>A node as text with mapping keys sorted, so two files that say the same thing compare equal.</summary>
    private static string Canonical(YamlNode? node) => node switch
    {
        null => "null",
        YamlScalarNode scalar => $"\"{scalar.Value}\"",
        YamlSequenceNode sequence => "[" + string.Join(",", sequence.Children.Select(Canonical)) + "]",
        YamlMappingNode mapping => "{" + string.Join(",", mapping.Children
            .Select(pair => $"{Canonical(pair.Key)}:{Canonical(pair.Value)}")
            .Order(StringComparer.Ordinal)) + "}",
        _ => node.ToString(),
    };
}
