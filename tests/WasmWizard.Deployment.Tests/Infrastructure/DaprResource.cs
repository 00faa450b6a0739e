using YamlDotNet.RepresentationModel;

namespace WasmWizard.Deployment.Tests.Infrastructure;

/// <summary>
/// One YAML document of a Dapr resource (Component, Configuration, Resiliency, ...) or of any other Kubernetes object
/// under <c>k8s/</c>: the same accessors serve both.
/// </summary>
/// <param name="File">The file, relative to the repository root, with forward slashes.</param>
/// <param name="Document">The document's place in the file, from 1 (files may hold several).</param>
/// <param name="Root">The document's root mapping.</param>
public sealed record DaprResource(string File, int Document, YamlMappingNode Root)
{
    /// <summary>The <c>kind</c>, or null.</summary>
    public string? Kind => Root.Scalar("kind");

    /// <summary>The <c>apiVersion</c>, or null.</summary>
    public string? ApiVersion => Root.Scalar("apiVersion");

    /// <summary>The <c>metadata.name</c>, or null.</summary>
    public string? Name => Root.Mapping("metadata").Scalar("name");

    /// <summary>The <c>spec</c> mapping, or null.</summary>
    public YamlMappingNode? Spec => Root.Mapping("spec");

    /// <summary>The <c>spec.type</c> (components), or null.</summary>
    public string? Type => Spec.Scalar("type");

    /// <summary>The app ids under <c>scopes</c>; empty means every app loads it.</summary>
    public IReadOnlyList<string> Scopes => Root.Sequence("scopes").Scalars();

    /// <summary>Whether the app with <paramref name="appId"/> loads this resource.</summary>
    public bool AppliesTo(string appId) => Scopes.Count == 0 || Scopes.Contains(appId);

    /// <summary>How failure messages name this resource: its file, and the document if the file holds more.</summary>
    public string Where => Document == 1 ? File : $"{File} (document {Document})";

    /// <summary>
    /// The component metadata items (<c>spec.metadata[]</c>) by name: each item's mapping, holding <c>value</c>,
    /// <c>secretKeyRef</c> or <c>envRef</c>.
    /// </summary>
    public IReadOnlyDictionary<string, YamlMappingNode> Metadata =>
        (Spec.Sequence("metadata")?.Children ?? [])
            .OfType<YamlMappingNode>()
            .Where(item => item.Scalar("name") is not null)
            .GroupBy(item => item.Scalar("name")!)
            .ToDictionary(group => group.Key, group => group.First());

    /// <summary>The plain value of the metadata item <paramref name="name"/>, or null.</summary>
    public string? MetadataValue(string name) => Metadata.TryGetValue(name, out var item) ? item.Scalar("value") : null;
}
