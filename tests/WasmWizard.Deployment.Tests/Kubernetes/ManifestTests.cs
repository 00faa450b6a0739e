using System.Text.RegularExpressions;
using WasmWizard.Deployment.Tests.Infrastructure;
using WasmWizard.Tests.Shared;
using YamlDotNet.RepresentationModel;

namespace WasmWizard.Deployment.Tests.Kubernetes;

/// <summary>
/// The manifests under <c>k8s/</c> as each kustomization lists them (before patches; no kubectl needed): the
/// security, probes, budgets, Services, NetworkPolicies and Dapr annotations an operator relies on.
/// </summary>
public sealed partial class ManifestTests
{
    /// <summary>The kustomizations whose objects must each meet every guarantee on their own.</summary>
    public static TheoryData<string> Builds => ["k8s/base", "k8s/overlays/dev", "k8s/overlays/prod"];

    [Fact]
    public void Manifests_EveryYamlFile_ParsesWithApiVersionKindAndName()
    {
        var problems = new Problems();
        foreach (var error in KubeManifests.ParseErrors)
        {
            problems.Add(error, "(file)", "not valid YAML");
        }

        foreach (var document in KubeManifests.All)
        {
            problems.Check(document.ApiVersion is { Length: > 0 }, document.Where, "apiVersion", "missing");
            problems.Check(document.Kind is { Length: > 0 }, document.Where, "kind", "missing");
            problems.Check(
                document.Kind == "Kustomization" || document.Name is { Length: > 0 },
                document.Where,
                "metadata.name",
                "missing");
        }

        problems.Check(KubeManifests.All.Count > 0, KubeManifests.Folder, "(folder)", "holds no manifests");
        problems.AssertNone();
    }

    [Fact]
    public void Kustomizations_EveryFileTheyName_Exists()
    {
        var problems = new Problems();
        foreach (var folder in KubeManifests.Kustomizations)
        {
            var kustomization = KubeManifests.Kustomization(folder)!;
            var named = kustomization.Root.Sequence("resources").Scalars()
                .Concat((kustomization.Root.Sequence("patches")?.Children ?? [])
                    .OfType<YamlMappingNode>()
                    .Select(p => p.Scalar("path"))
                    .OfType<string>())
                .Concat((kustomization.Root.Sequence("configMapGenerator")?.Children ?? [])
                    .OfType<YamlMappingNode>()
                    .SelectMany(g => g.Sequence("files").Scalars()));
            foreach (var entry in named)
            {
                var path = Path.Combine(RepositoryLocation.Root, KubeManifests.Normalize($"{folder}/{entry}"));
                problems.Check(
                    File.Exists(path) || File.Exists(Path.Combine(path, KubeManifests.KustomizationFile)),
                    kustomization.Where,
                    entry,
                    "names a file or kustomization that does not exist");
            }
        }

        foreach (var overlay in KubeManifests.Overlays)
        {
            var kustomization = KubeManifests.Kustomization(overlay);
            problems.Check(kustomization is not null, overlay, KubeManifests.KustomizationFile, "missing");
        }

        problems.AssertNone();
    }

    [Theory]
    [MemberData(nameof(Builds))]
    public void Deployments_EveryContainer_IsRestrictedBoundedAndProbed(string build)
    {
        var problems = new Problems();
        WorkloadGuarantees.CheckContainers(KubeManifests.Resources(build), problems);
        problems.AssertNone();
    }

    [Theory]
    [MemberData(nameof(Builds))]
    public void DaprAnnotations_AgreeWithRunFileAndNameExistingConfigurations(string build)
    {
        var problems = new Problems();
        WorkloadGuarantees.CheckDaprAnnotations(KubeManifests.Resources(build), RunFile.Load(), problems);
        problems.AssertNone();
    }

    [Theory]
    [MemberData(nameof(Builds))]
    public void Deployments_EachHasABudget_AndTheExecutorAnAutoscaler(string build)
    {
        var problems = new Problems();
        WorkloadGuarantees.CheckAvailability(KubeManifests.Resources(build), problems);
        problems.AssertNone();
    }

    [Theory]
    [MemberData(nameof(Builds))]
    public void Services_TargetPorts_AreContainerPortsOfTheirPods(string build)
    {
        var problems = new Problems();
        WorkloadGuarantees.CheckServices(KubeManifests.Resources(build), problems);
        problems.AssertNone();
    }

    [Theory]
    [MemberData(nameof(Builds))]
    public void NetworkPolicies_DenyByDefault_AndSelectPodsThatExist(string build)
    {
        var problems = new Problems();
        WorkloadGuarantees.CheckNetworkPolicies(KubeManifests.Resources(build), problems);
        problems.AssertNone();
    }

    [Fact]
    public void PodAnnotations_NumbersAndBooleans_AreQuoted()
    {
        // Annotations are strings; an unquoted "5100" or true is an int or a bool, and the API server refuses it.
        var problems = new Problems();
        foreach (var pod in PodTemplate.Of(KubeManifests.All))
        {
            var annotations = pod.Template.Mapping("metadata", "annotations");
            foreach (var (key, value) in annotations?.Children.ToList() ?? [])
            {
                if (value is YamlScalarNode scalar && !scalar.IsQuoted() && LooksTyped().IsMatch(scalar.Value ?? ""))
                {
                    problems.Add(pod.Owner.Where, $"annotation {key}", $"{scalar.Value} must be quoted");
                }
            }
        }

        problems.AssertNone();
    }

    [Fact]
    public void Ingress_RoutesOnlyApiAndHealth_ToTheIngressSidecarByInvocation()
    {
        var objects = KubeManifests.Resources("k8s/base");
        var ingresses = objects.Where(o => o.Kind == "Ingress").ToList();
        var ingress = Assert.Single(ingresses);
        var annotations = ingress.Root.Mapping("metadata", "annotations").ToStrings();
        var paths = (ingress.Spec.Sequence("rules")?.Children ?? [])
            .OfType<YamlMappingNode>()
            .SelectMany(r => r.Mapping("http").Sequence("paths")?.Children ?? [])
            .OfType<YamlMappingNode>()
            .ToList();
        var sidecars = PodTemplate.Of(objects).Where(p => p.DaprAppId is not null).Select(p => $"{p.DaprAppId}-dapr");

        Assert.Equal("true", annotations.GetValueOrDefault("nginx.ingress.kubernetes.io/use-regex"));
        Assert.Equal("/v1.0/invoke/api/method/$1", annotations.GetValueOrDefault("nginx.ingress.kubernetes.io/rewrite-target"));
        Assert.NotEmpty(paths);
        foreach (var path in paths)
        {
            var backend = path.Mapping("backend", "service");
            Assert.Contains(backend.Scalar("name"), sidecars);
            Assert.Equal("80", backend.Mapping("port").Scalar("number"));

            // nginx connects to the <app-id>-dapr Service's endpoints, the pods' addresses, and daprd in Kubernetes
            // listens on loopback only by default: the sidecar behind the Service must listen on the pod's address.
            var behind = PodTemplate.Of(objects).Single(p => $"{p.DaprAppId}-dapr" == backend.Scalar("name"));
            Assert.Contains(
                behind.Annotations.GetValueOrDefault("dapr.io/sidecar-listen-addresses") ?? "",
                new[] { "0.0.0.0", "[::]" });
        }

        // nginx matches each regex path at the start of the request path, case-insensitively (use-regex).
        var routes = paths.Select(p => new Regex("^" + p.Scalar("path"), RegexOptions.IgnoreCase)).ToList();
        string? Route(string requestPath) =>
            routes.Select(r => r.Match(requestPath)).FirstOrDefault(m => m.Success)?.Groups[1].Value;
        Assert.Equal("api/wasm/modules", Route("/api/wasm/modules"));
        Assert.Equal("health/live", Route("/health/live"));
        Assert.Null(Route("/health/ready"));
        Assert.Null(Route("/health"));
        Assert.Null(Route("/metrics"));
        Assert.Null(Route("/v1.0/invoke/executor/method/run"));
        Assert.Null(Route("/dapr/subscribe"));
        Assert.Null(Route("/actors/RateLimitActor/x/method/check"));
    }

    [Fact]
    public void Api_IsReachableFromOutside_OnlyThroughTheIngressController()
    {
        var objects = KubeManifests.Resources("k8s/base");
        var pods = PodTemplate.Of(objects);
        foreach (var service in objects.Where(o => o.Kind == "Service"))
        {
            var type = service.Spec.Scalar("type") ?? "ClusterIP";
            if (type == "ClusterIP")
            {
                continue;
            }

            var selected = pods.Where(p => LabelSelectors.MatchesPlain(service.Spec.Mapping("selector"), p.Labels));
            Assert.All(selected, p => Assert.Equal("ingress-nginx-controller", p.Owner.Name));
            Assert.Equal("Local", service.Spec.Scalar("externalTrafficPolicy"));
        }

        var controller = objects.Single(o => o.Kind == "ConfigMap" && o.Name == "ingress-nginx-controller");
        Assert.Equal("false", controller.Root.Mapping("data").Scalar("use-forwarded-headers"));
        var api = pods.Single(p => p.DaprAppId == "api").Containers.Single();
        var env = (api.Sequence("env")?.Children ?? []).OfType<YamlMappingNode>().ToList();
        Assert.Contains(env, e => e.Scalar("name") == "Api__TrustForwardedHeaders" && e.Scalar("value") == "true");
        var adminKey = Assert.Single(env, e => e.Scalar("name") == "Api__AdminApiKey");
        Assert.Equal("wasmwizard-admin", adminKey.Mapping("valueFrom", "secretKeyRef").Scalar("name"));
        Assert.Equal("api-key", adminKey.Mapping("valueFrom", "secretKeyRef").Scalar("key"));
    }

    [Fact]
    public void DaprApps_ReadTheTokensTheirSidecarsUse()
    {
        // The injector gives the tokens to the sidecar only; an app without them would log a warning and accept
        // any caller on its sidecar-only routes.
        var pods = PodTemplate.Of(KubeManifests.Resources("k8s/base"));
        foreach (var app in KnownApps.Ids)
        {
            var pod = pods.Single(p => p.DaprAppId == app);
            var env = (pod.Containers.Single().Sequence("env")?.Children ?? [])
                .OfType<YamlMappingNode>()
                .ToDictionary(e => e.Scalar("name") ?? "", e => e.Mapping("valueFrom", "secretKeyRef").Scalar("name"));

            Assert.Equal(pod.Annotations.GetValueOrDefault("dapr.io/api-token-secret"), env.GetValueOrDefault("DAPR_API_TOKEN"));
            Assert.Equal(pod.Annotations.GetValueOrDefault("dapr.io/app-token-secret"), env.GetValueOrDefault("APP_API_TOKEN"));
            Assert.NotNull(env.GetValueOrDefault("DAPR_API_TOKEN"));
            Assert.NotNull(env.GetValueOrDefault("APP_API_TOKEN"));
        }
    }

    [Fact]
    public void DaprApps_SendTheirSpansToTheCollectorTheSidecarsUse()
    {
        // Without the setting the sandbox's spans never leave the pod; with another address than the sidecars'
        // one trace would be split between two collectors.
        var objects = KubeManifests.Resources("k8s/base");
        var collectors = objects.Where(o => o.Kind == "Configuration")
            .Select(c => c.Spec.Mapping("tracing", "otel").Scalar("endpointAddress"))
            .ToHashSet();
        var collector = Assert.Single(collectors);
        foreach (var app in KnownApps.Ids)
        {
            var container = PodTemplate.Of(objects).Single(p => p.DaprAppId == app).Containers.Single();
            var endpoint = (container.Sequence("env")?.Children ?? [])
                .OfType<YamlMappingNode>()
                .SingleOrDefault(e => e.Scalar("name") == "OTEL_EXPORTER_OTLP_ENDPOINT")?.Scalar("value");
            Assert.Equal("http://" + collector, endpoint);
        }
    }

    [GeneratedRegex("^(?:[0-9]+(?:\\.[0-9]+)?|true|false|yes|no|on|off|null)$", RegexOptions.IgnoreCase)]
    private static partial Regex LooksTyped();
}
