using WasmWizard.Deployment.Tests.Infrastructure;
using WasmWizard.Tests.Shared;
using YamlDotNet.RepresentationModel;

namespace WasmWizard.Deployment.Tests.Kubernetes;

/// <summary>
/// Each overlay as <c>kubectl kustomize</c> renders it, patches applied: what an operator's <c>kubectl apply -k</c>
/// would send must keep every guarantee the sources have. Skipped, saying so, where kubectl is not installed.
/// </summary>
public sealed class RenderedOverlayTests
{
    /// <summary>Secrets the operator creates in every overlay; the manifests only reference them.</summary>
    private static readonly string[] s_operatorSecrets =
        ["wasmwizard-admin", "wasmwizard-dapr-api-token", "wasmwizard-app-api-token"];

    /// <summary>Secrets for Redis and PostgreSQL: generated for the in-cluster ones in dev, the operator's in prod.</summary>
    private static readonly string[] s_storeSecrets = ["wasmwizard-redis", "wasmwizard-audit-postgres"];

    private static readonly HashSet<string> s_clusterScoped = new(StringComparer.Ordinal)
    {
        "Namespace", "ClusterRole", "ClusterRoleBinding", "IngressClass",
    };

    public static TheoryData<string> Overlays => [.. KubeManifests.Overlays];

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Overlay_Rendered_KeepsEveryGuarantee(string overlay)
    {
        var objects = Render(overlay);
        var problems = new Problems();

        WorkloadGuarantees.CheckContainers(objects, problems);
        WorkloadGuarantees.CheckDaprAnnotations(objects, RunFile.Load(), problems);
        WorkloadGuarantees.CheckAvailability(objects, problems);
        WorkloadGuarantees.CheckServices(objects, problems);
        WorkloadGuarantees.CheckNetworkPolicies(objects, problems);

        problems.AssertNone();
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Overlay_Rendered_PutsEverythingInItsNamespace_WithTaggedImages(string overlay)
    {
        var objects = Render(overlay);
        var problems = new Problems();
        var namespaces = objects.Where(o => o.Kind == "Namespace").Select(o => o.Name).ToList();
        var ns = Assert.Single(namespaces);

        foreach (var item in objects.Where(o => !s_clusterScoped.Contains(o.Kind ?? "")))
        {
            problems.Check(
                item.Root.Mapping("metadata").Scalar("namespace") == ns,
                item.Where,
                $"{item.Kind} {item.Name} metadata.namespace",
                $"must be {ns}");
        }

        foreach (var binding in objects.Where(o => o.Kind is "ClusterRoleBinding" or "RoleBinding"))
        {
            foreach (var subject in (binding.Root.Sequence("subjects")?.Children ?? []).OfType<YamlMappingNode>())
            {
                problems.Check(
                    subject.Scalar("kind") != "ServiceAccount" || subject.Scalar("namespace") == ns,
                    binding.Where,
                    $"{binding.Kind} {binding.Name} subject {subject.Scalar("name")}",
                    $"must be the ServiceAccount in {ns}");
            }
        }

        foreach (var pod in PodTemplate.Of(objects))
        {
            foreach (var container in pod.Containers)
            {
                var image = container.Scalar("image") ?? "";
                var tag = image.Contains('@', StringComparison.Ordinal)
                    ? "digest"
                    : image.Split('/')[^1].Split(':').ElementAtOrDefault(1);
                problems.Check(
                    tag is { Length: > 0 } and not "latest",
                    pod.Owner.Where,
                    pod.Key(container),
                    $"image {image} needs a tag other than latest (kustomize images:)");
            }
        }

        problems.AssertNone();
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Overlay_Rendered_ReferencesOnlySecretsItGeneratesOrTheOperatorCreates(string overlay)
    {
        var objects = Render(overlay);
        var generated = objects.Where(o => o.Kind == "Secret").Select(o => o.Name!).ToHashSet();
        var prod = overlay.EndsWith("/prod", StringComparison.Ordinal);
        var allowed = generated.Concat(s_operatorSecrets).Concat(prod ? s_storeSecrets : []).ToHashSet();

        var referenced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pod in PodTemplate.Of(objects))
        {
            referenced.UnionWith(pod.Annotations
                .Where(a => a.Key is "dapr.io/api-token-secret" or "dapr.io/app-token-secret")
                .Select(a => a.Value));
            referenced.UnionWith(pod.Containers
                .SelectMany(c => c.Sequence("env")?.Children ?? [])
                .OfType<YamlMappingNode>()
                .Select(e => e.Mapping("valueFrom", "secretKeyRef").Scalar("name"))
                .OfType<string>());
        }

        referenced.UnionWith(objects.Where(o => o.Kind == "Component")
            .SelectMany(c => c.Metadata.Values)
            .Select(m => m.Mapping("secretKeyRef").Scalar("name"))
            .OfType<string>());

        Assert.Empty(referenced.Except(allowed));
        if (prod)
        {
            // Production credentials never live in git: nothing is generated, and no database runs in the cluster.
            Assert.Empty(generated);
            Assert.DoesNotContain(objects, o => o.Kind == "Deployment" && o.Name is "redis" or "postgres");
            var documented = File.ReadAllText(
                Path.Combine(RepositoryLocation.Root, overlay, KubeManifests.KustomizationFile));
            Assert.All(referenced, name => Assert.Contains(name, documented, StringComparison.Ordinal));
        }
        else
        {
            Assert.All(s_storeSecrets, name => Assert.Contains(name, generated));
        }
    }

    private static IReadOnlyList<DaprResource> Render(string overlay)
    {
        if (KubeManifests.Kubectl is null)
        {
            Assert.Skip("kubectl is not on PATH: the rendered overlays are not checked (the sources are).");
        }

        var (objects, error) = KubeManifests.Render(overlay);
        Assert.True(error is null, $"{overlay}: {error}");
        Assert.NotEmpty(objects);
        return objects;
    }
}
