using System.Text.RegularExpressions;
using WasmWizard.Tests.Shared;
using YamlDotNet.RepresentationModel;

namespace WasmWizard.Deployment.Tests.Infrastructure;

/// <summary>
/// What every set of Kubernetes objects of ours must guarantee, checked the same way on the objects a
/// kustomization lists and on what <c>kubectl kustomize</c> renders from it (patches applied).
/// </summary>
public static partial class WorkloadGuarantees
{
    /// <summary>
    /// Containers that may deviate from the restrictive securityContext, and how: the ingress controller's image
    /// writes nginx's configuration under /etc/nginx and its binaries carry a file capability (controller.yaml).
    /// </summary>
    private static readonly Dictionary<(string Deployment, string Container), string> s_exceptions = new()
    {
        [("ingress-nginx-controller", "controller")] = "NET_BIND_SERVICE",
    };

    /// <summary>
    /// Every container: non-root, seccomp RuntimeDefault, no privilege escalation, read-only root filesystem, all
    /// capabilities dropped, requests and limits, liveness and readiness probes on ports it declares; ours probe
    /// /health/live and /health/ready, the paths the services map.
    /// </summary>
    public static void CheckContainers(IEnumerable<DaprResource> objects, Problems problems)
    {
        var healthPaths = MappedHealthPaths();
        foreach (var pod in PodTemplate.Of(objects))
        {
            var where = pod.Owner.Where;
            var podSecurity = pod.PodSpec.Mapping("securityContext");
            problems.Check(podSecurity.Scalar("runAsNonRoot") == "true", where, "securityContext.runAsNonRoot", "must be true");
            problems.Check(
                long.TryParse(podSecurity.Scalar("runAsUser"), out var uid) && uid > 0,
                where,
                "securityContext.runAsUser",
                "must be a numeric non-root user, so the kubelet can verify runAsNonRoot");
            problems.Check(
                podSecurity.Mapping("seccompProfile").Scalar("type") == "RuntimeDefault",
                where,
                "securityContext.seccompProfile.type",
                "must be RuntimeDefault");
            problems.Check(pod.Containers.Count > 0, where, "spec.template.spec.containers", "none");
            foreach (var container in pod.Containers)
            {
                CheckContainer(pod, container, healthPaths, problems);
            }
        }
    }

    /// <summary>Every Deployment is covered by exactly one PodDisruptionBudget; the executor also by a CPU autoscaler.</summary>
    public static void CheckAvailability(IReadOnlyList<DaprResource> objects, Problems problems)
    {
        var budgets = objects.Where(o => o.Kind == "PodDisruptionBudget").ToList();
        foreach (var pod in PodTemplate.Of(objects))
        {
            var covering = budgets.Where(b => LabelSelectors.Matches(b.Spec.Mapping("selector"), pod.Labels)).ToList();
            problems.Check(
                covering.Count == 1,
                pod.Owner.Where,
                $"Deployment {pod.Owner.Name}",
                $"covered by {covering.Count} PodDisruptionBudgets; needs exactly one");
        }

        foreach (var budget in budgets)
        {
            var floor = budget.Spec.Scalar("minAvailable") is not null;
            var ceiling = budget.Spec.Scalar("maxUnavailable") is not null;
            problems.Check(floor != ceiling, budget.Where, "spec", "needs exactly one of minAvailable and maxUnavailable");
        }

        var autoscalers = objects.Where(o => o.Kind == "HorizontalPodAutoscaler").ToList();
        var executor = autoscalers.FirstOrDefault(h => h.Spec.Mapping("scaleTargetRef").Scalar("name") == "executor");
        problems.Check(executor is not null, "k8s", "HorizontalPodAutoscaler", "none scales the executor");
        if (executor is not null)
        {
            problems.Check(executor.ApiVersion == "autoscaling/v2", executor.Where, "apiVersion", "must be autoscaling/v2");
            problems.Check(
                executor.Spec.Mapping("scaleTargetRef").Scalar("kind") == "Deployment",
                executor.Where,
                "spec.scaleTargetRef.kind",
                "must be Deployment");
            var cpu = (executor.Spec.Sequence("metrics")?.Children ?? [])
                .OfType<YamlMappingNode>()
                .Any(m => m.Scalar("type") == "Resource" && m.Mapping("resource").Scalar("name") == "cpu");
            problems.Check(cpu, executor.Where, "spec.metrics", "must scale on the cpu resource");
            var low = int.TryParse(executor.Spec.Scalar("minReplicas"), out var min) ? min : 0;
            var high = int.TryParse(executor.Spec.Scalar("maxReplicas"), out var max) ? max : 0;
            problems.Check(low >= 1 && high >= low, executor.Where, "spec", $"minReplicas {low}, maxReplicas {high}");
            var deployment = objects.FirstOrDefault(o => o.Kind == "Deployment" && o.Name == "executor");
            problems.Check(
                deployment?.Spec.Scalar("replicas") is null,
                deployment?.Where ?? "k8s",
                "Deployment executor spec.replicas",
                "must be left to the autoscaler: every apply would reset the count");
        }
    }

    /// <summary>
    /// Every Service selects pods of a Deployment, and each port's targetPort is one their container declares.
    /// </summary>
    public static void CheckServices(IReadOnlyList<DaprResource> objects, Problems problems)
    {
        var pods = PodTemplate.Of(objects);
        foreach (var service in objects.Where(o => o.Kind == "Service"))
        {
            var selector = service.Spec.Mapping("selector");
            var selected = pods.Where(p => LabelSelectors.MatchesPlain(selector, p.Labels)).ToList();
            problems.Check(selected.Count > 0, service.Where, $"Service {service.Name} spec.selector", "selects no pods");
            foreach (var port in (service.Spec.Sequence("ports")?.Children ?? []).OfType<YamlMappingNode>())
            {
                var target = port.Scalar("targetPort") ?? port.Scalar("port") ?? "";
                foreach (var pod in selected)
                {
                    problems.Check(
                        pod.Containers.Any(c => PodTemplate.Declares(c, target)),
                        service.Where,
                        $"Service {service.Name} port {port.Scalar("name")}",
                        $"targetPort {target} is no container port of Deployment {pod.Owner.Name}");
                }
            }
        }
    }

    /// <summary>
    /// A default deny in both directions, and every other policy selects pods that exist and names peers that
    /// exist; no policy opens an app's own port to pods, only to other namespaces (Prometheus).
    /// </summary>
    public static void CheckNetworkPolicies(IReadOnlyList<DaprResource> objects, Problems problems)
    {
        var pods = PodTemplate.Of(objects);
        var policies = objects.Where(o => o.Kind == "NetworkPolicy").ToList();
        var denyAll = policies.Any(p => LabelSelectors.IsEmpty(p.Spec.Mapping("podSelector"))
            && p.Spec.Sequence("policyTypes").Scalars().Order().SequenceEqual(["Egress", "Ingress"])
            && p.Spec.Child("ingress") is null
            && p.Spec.Child("egress") is null);
        problems.Check(denyAll, "k8s", "NetworkPolicy", "no default deny of ingress and egress for every pod");
        foreach (var policy in policies)
        {
            var key = $"NetworkPolicy {policy.Name}";
            var selector = policy.Spec.Mapping("podSelector");
            problems.Check(
                pods.Any(p => LabelSelectors.Matches(selector, p.Labels)),
                policy.Where,
                $"{key} spec.podSelector",
                "selects no pod of any Deployment");
            foreach (var peer in Peers(policy))
            {
                if (peer.Mapping("podSelector") is { } peerSelector && peer.Child("namespaceSelector") is null)
                {
                    problems.Check(
                        pods.Any(p => LabelSelectors.Matches(peerSelector, p.Labels)),
                        policy.Where,
                        $"{key} peer podSelector",
                        "names pods no Deployment has");
                }
            }
        }

        foreach (var app in KnownApps.Ids)
        {
            var appPort = pods.FirstOrDefault(p => p.DaprAppId == app)?.Annotations.GetValueOrDefault("dapr.io/app-port");
            foreach (var policy in policies)
            {
                foreach (var rule in (policy.Spec.Sequence("ingress")?.Children ?? []).OfType<YamlMappingNode>())
                {
                    var opensPort = (rule.Sequence("ports")?.Children ?? [])
                        .OfType<YamlMappingNode>()
                        .Any(p => p.Scalar("port") == appPort);
                    var fromPods = (rule.Sequence("from")?.Children ?? [])
                        .OfType<YamlMappingNode>()
                        .Any(peer => peer.Child("namespaceSelector") is null);
                    var fromAnywhere = rule.Child("from") is null;
                    problems.Check(
                        !(opensPort && (fromPods || fromAnywhere)),
                        policy.Where,
                        $"NetworkPolicy {policy.Name}",
                        $"opens {app}'s own port {appPort} to pods or to everyone; only its sidecar may call it");
                }
            }
        }
    }

    /// <summary>
    /// Every Dapr-enabled pod: the annotations a sidecar needs, values as dapr.yaml has them for our apps, a
    /// Configuration that exists, and the app port declared by the container; no two Deployments share an app id.
    /// </summary>
    public static void CheckDaprAnnotations(IReadOnlyList<DaprResource> objects, RunFile run, Problems problems)
    {
        var configurations = objects.Where(o => o.Kind == "Configuration").Select(o => o.Name).ToHashSet();
        var pods = PodTemplate.Of(objects).Where(p => p.DaprAppId is not null).ToList();
        foreach (var twice in pods.GroupBy(p => p.DaprAppId).Where(g => g.Count() > 1))
        {
            problems.Add("k8s", $"dapr.io/app-id {twice.Key}", "used by more than one Deployment");
        }

        foreach (var app in KnownApps.Ids)
        {
            problems.Check(pods.Any(p => p.DaprAppId == app), "k8s", "Deployment", $"none runs Dapr app {app}");
        }

        var bodySize = run.Common.Scalar("maxBodySize");
        foreach (var pod in pods)
        {
            var where = pod.Owner.Where;
            var annotations = pod.Annotations;
            string Key(string name) => $"Deployment {pod.Owner.Name} annotation {name}";
            void Expect(string name, string? expected, string why) =>
                problems.Check(annotations.GetValueOrDefault(name) == expected, where, Key(name), why);
            foreach (var required in s_requiredAnnotations)
            {
                problems.Check(annotations.ContainsKey(required), where, Key(required), "missing");
            }

            var config = annotations.GetValueOrDefault("dapr.io/config");
            problems.Check(
                config is not null && configurations.Contains(config),
                where,
                Key("dapr.io/config"),
                $"\"{config}\" names no Configuration in the manifests");
            Expect("dapr.io/max-body-size", bodySize, $"must be dapr.yaml's maxBodySize {bodySize}: modules cross sidecars");
            Expect("dapr.io/log-as-json", "true", "must be \"true\"");
            Expect("dapr.io/enable-metrics", "true", "must be \"true\"");
            if (run.App(pod.DaprAppId!) is not { } runApp)
            {
                continue;
            }

            var appPort = runApp.Node.Scalar("appPort");
            Expect("dapr.io/app-port", appPort, $"must be {appPort}, as dapr.yaml's appPort for {runApp.AppId}");
            problems.Check(
                pod.Containers.Any(c => PodTemplate.Declares(c, appPort ?? "")),
                where,
                $"Deployment {pod.Owner.Name} containers",
                $"no container declares the app port {appPort}");
            Expect("dapr.io/app-protocol", "http", "must be http");
            if (runApp.Node.Scalar("readBufferSize") is { } buffer)
            {
                Expect("dapr.io/read-buffer-size", buffer, $"must be dapr.yaml's readBufferSize {buffer}");
            }
        }
    }

    private static readonly string[] s_requiredAnnotations =
    [
        "dapr.io/enabled", "dapr.io/app-id", "dapr.io/config", "dapr.io/max-body-size", "dapr.io/log-as-json",
        "dapr.io/enable-metrics", "dapr.io/metrics-port", "dapr.io/sidecar-cpu-request", "dapr.io/sidecar-cpu-limit",
        "dapr.io/sidecar-memory-request", "dapr.io/sidecar-memory-limit",
    ];

    private static void CheckContainer(
        PodTemplate pod, YamlMappingNode container, IReadOnlySet<string> healthPaths, Problems problems)
    {
        var where = pod.Owner.Where;
        var key = pod.Key(container);
        var security = container.Mapping("securityContext");
        s_exceptions.TryGetValue((pod.Owner.Name ?? "", container.Scalar("name") ?? ""), out var allowedCapability);
        problems.Check(
            security.Scalar("allowPrivilegeEscalation") == "false",
            where,
            $"{key} securityContext.allowPrivilegeEscalation",
            "must be false");
        problems.Check(
            security.Scalar("readOnlyRootFilesystem") == "true" || allowedCapability is not null,
            where,
            $"{key} securityContext.readOnlyRootFilesystem",
            "must be true");
        problems.Check(
            security.Mapping("capabilities").Sequence("drop").Scalars().Contains("ALL"),
            where,
            $"{key} securityContext.capabilities.drop",
            "must hold ALL");
        var added = security.Mapping("capabilities").Sequence("add").Scalars();
        problems.Check(
            added.All(c => c == allowedCapability),
            where,
            $"{key} securityContext.capabilities.add",
            $"adds {string.Join(", ", added)}");
        foreach (var part in new[] { "requests", "limits" })
        {
            foreach (var resource in new[] { "cpu", "memory" })
            {
                problems.Check(
                    container.Mapping("resources", part).Scalar(resource) is { Length: > 0 },
                    where,
                    $"{key} resources.{part}.{resource}",
                    "missing");
            }
        }

        var ours = container.Scalar("image")?.StartsWith("wasmwizard/", StringComparison.Ordinal) == true
            || container.Scalar("image")?.Contains("/wasmwizard/", StringComparison.Ordinal) == true;
        foreach (var (probe, path) in new[] { ("livenessProbe", "/health/live"), ("readinessProbe", "/health/ready") })
        {
            var node = container.Mapping(probe);
            problems.Check(node is not null, where, $"{key} {probe}", "missing");
            var get = node.Mapping("httpGet");
            if (get?.Scalar("port") is { } port)
            {
                problems.Check(
                    PodTemplate.Declares(container, port), where, $"{key} {probe}", $"port {port} is not declared");
            }

            if (ours)
            {
                problems.Check(get.Scalar("path") == path, where, $"{key} {probe}.httpGet.path", $"must be {path}");
                problems.Check(
                    healthPaths.Contains(path),
                    where,
                    $"{key} {probe}",
                    $"{path} is not mapped by the services (ServiceDefaults.MapDefaultEndpoints)");
            }
        }
    }

    private static IEnumerable<YamlMappingNode> Peers(DaprResource policy) =>
        new[] { ("ingress", "from"), ("egress", "to") }
            .SelectMany(direction => (policy.Spec.Sequence(direction.Item1)?.Children ?? [])
                .OfType<YamlMappingNode>()
                .SelectMany(rule => (rule.Sequence(direction.Item2)?.Children ?? []).OfType<YamlMappingNode>()));

    private static IReadOnlySet<string> MappedHealthPaths()
    {
        var source = File.ReadAllText(
            Path.Combine(RepositoryLocation.Root, "services", "shared", "Hosting", "ServiceDefaults.cs"));
        return HealthMapping().Matches(source).Select(m => m.Groups["path"].Value).ToHashSet();
    }

    [GeneratedRegex("MapHealthChecks\\(\"(?<path>[^\"]+)\"")]
    private static partial Regex HealthMapping();
}
