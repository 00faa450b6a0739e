using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace WasmWizard.Deployment.Tests.Infrastructure;

/// <summary>Accessors over YamlDotNet's node model, returning null where a key is absent or of another shape.</summary>
public static class YamlNodes
{
    /// <summary>The value under <paramref name="key"/>, or null.</summary>
    public static YamlNode? Child(this YamlMappingNode? node, string key)
    {
        if (node is null)
        {
            return null;
        }

        return node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;
    }

    /// <summary>The mapping at the end of <paramref name="path"/>, or null.</summary>
    public static YamlMappingNode? Mapping(this YamlMappingNode? node, params string[] path)
    {
        YamlNode? current = node;
        foreach (var key in path)
        {
            current = (current as YamlMappingNode).Child(key);
        }

        return current as YamlMappingNode;
    }

    /// <summary>The sequence under <paramref name="key"/>, or null.</summary>
    public static YamlSequenceNode? Sequence(this YamlMappingNode? node, string key) =>
        node.Child(key) as YamlSequenceNode;

    /// <summary>The scalar under <paramref name="key"/>, or null.</summary>
    public static YamlScalarNode? ScalarNode(this YamlMappingNode? node, string key) =>
        node.Child(key) as YamlScalarNode;

    /// <summary>The text of the scalar under <paramref name="key"/>, or null.</summary>
    public static string? Scalar(this YamlMappingNode? node, string key) => node.ScalarNode(key)?.Value;

    /// <summary>The keys of a mapping, in file order.</summary>
    public static IEnumerable<string> Keys(this YamlMappingNode? node) =>
        node?.Children.Keys.Select(k => (k as YamlScalarNode)?.Value ?? k.ToString()) ?? [];

    /// <summary>The scalars of a sequence; other items are skipped.</summary>
    public static IReadOnlyList<string> Scalars(this YamlSequenceNode? node) =>
        node?.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? "").ToList() ?? [];

    /// <summary>Whether a scalar was written in quotes: a string for any YAML reader, never a number or a boolean.</summary>
    public static bool IsQuoted(this YamlScalarNode node) =>
        node.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted;
}
