using YamlDotNet.RepresentationModel;

namespace WasmWizard.Deployment.Tests.Infrastructure;

/// <summary>The pod template of a Deployment: its labels, annotations, pod spec and containers.</summary>
/// <param name="Owner">The Deployment.</param>
public sealed record PodTemplate(DaprResource Owner)
{
    /// <summary>The <c>spec.template</c> mapping, or null.</summary>
    public YamlMappingNode? Template => Owner.Spec.Mapping("template");

    /// <summary>The pod's labels.</summary>
    public IReadOnlyDictionary<string, string> Labels => Template.Mapping("metadata", "labels").ToStrings();

    /// <summary>The pod's annotations.</summary>
    public IReadOnlyDictionary<string, string> Annotations =>
        Template.Mapping("metadata", "annotations").ToStrings();

    /// <summary>The pod spec, or null.</summary>
    public YamlMappingNode? PodSpec => Template.Mapping("spec");

    /// <summary>The containers (not init containers).</summary>
    public IReadOnlyList<YamlMappingNode> Containers =>
        PodSpec.Sequence("containers")?.Children.OfType<YamlMappingNode>().ToList() ?? [];

    /// <summary>The Dapr app id (<c>dapr.io/app-id</c>) when the sidecar is enabled, else null.</summary>
    public string? DaprAppId =>
        Annotations.GetValueOrDefault("dapr.io/enabled") == "true" ? Annotations.GetValueOrDefault("dapr.io/app-id") : null;

    /// <summary>How failure messages name a container: the Deployment's file and name, and the container's.</summary>
    public string Key(YamlMappingNode container) => $"Deployment {Owner.Name}, container {container.Scalar("name")}";

    /// <summary>Whether <paramref name="container"/> declares <paramref name="port"/> (a number or a port name).</summary>
    public static bool Declares(YamlMappingNode container, string port) =>
        (container.Sequence("ports")?.Children ?? [])
            .OfType<YamlMappingNode>()
            .Any(p => p.Scalar("containerPort") == port || p.Scalar("name") == port);

    /// <summary>The pod templates of every Deployment in <paramref name="objects"/>.</summary>
    public static IReadOnlyList<PodTemplate> Of(IEnumerable<DaprResource> objects) =>
        objects.Where(o => o.Kind == "Deployment").Select(o => new PodTemplate(o)).ToList();
}
