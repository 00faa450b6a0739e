using YamlDotNet.RepresentationModel;

namespace WasmWizard.Deployment.Tests.Infrastructure;

/// <summary>Kubernetes label selectors: a Service's plain map, and <c>matchLabels</c> with <c>matchExpressions</c>.</summary>
public static class LabelSelectors
{
    /// <summary>The scalar entries of a mapping as strings; empty for null.</summary>
    public static IReadOnlyDictionary<string, string> ToStrings(this YamlMappingNode? node) =>
        node?.Children
            .Where(pair => pair.Key is YamlScalarNode && pair.Value is YamlScalarNode)
            .ToDictionary(pair => ((YamlScalarNode)pair.Key).Value ?? "", pair => ((YamlScalarNode)pair.Value).Value ?? "")
        ?? new Dictionary<string, string>();

    /// <summary>Whether a plain selector (a Service's <c>spec.selector</c>) picks <paramref name="labels"/>.</summary>
    public static bool MatchesPlain(YamlMappingNode? selector, IReadOnlyDictionary<string, string> labels) =>
        selector is not null
            && selector.Children.Count > 0
            && selector.ToStrings().All(pair => labels.GetValueOrDefault(pair.Key) == pair.Value);

    /// <summary>
    /// Whether a <c>LabelSelector</c> picks <paramref name="labels"/>; an empty selector picks everything, as in
    /// a NetworkPolicy's <c>podSelector: {}</c>.
    /// </summary>
    public static bool Matches(YamlMappingNode? selector, IReadOnlyDictionary<string, string> labels)
    {
        if (selector is null)
        {
            return false;
        }

        if (!selector.Mapping("matchLabels").ToStrings().All(pair => labels.GetValueOrDefault(pair.Key) == pair.Value))
        {
            return false;
        }

        foreach (var expression in (selector.Sequence("matchExpressions")?.Children ?? []).OfType<YamlMappingNode>())
        {
            var key = expression.Scalar("key") ?? "";
            var values = expression.Sequence("values").Scalars();
            var has = labels.TryGetValue(key, out var value);
            var ok = expression.Scalar("operator") switch
            {
                "In" => has && values.Contains(value!),
                "NotIn" => !has || !values.Contains(value!),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether a selector is the empty one (<c>{}</c>), which picks every pod of the namespace.</summary>
    public static bool IsEmpty(YamlMappingNode? selector) => selector is not null && selector.Children.Count == 0;
}
