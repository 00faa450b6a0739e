using System.Text.RegularExpressions;

namespace WasmWizard.Deployment.Tests.Infrastructure;

/// <summary>Just enough PromQL to find the metric names a query reads.</summary>
public static partial class PromQl
{
    private static readonly HashSet<string> s_keywords = new(StringComparer.Ordinal)
    {
        "by", "without", "and", "or", "unless", "on", "ignoring", "group_left", "group_right", "bool", "offset",
        "inf", "nan",
    };

    /// <summary>
    /// The metric names in <paramref name="query"/>: identifiers that are not functions, aggregation operators,
    /// keywords, label names or parts of strings, durations and Grafana variables.
    /// </summary>
    public static IReadOnlySet<string> MetricNames(string query)
    {
        var text = Strings().Replace(query, "\"\"");
        text = Matchers().Replace(text, "{}");
        text = Grouping().Replace(text, " ");
        text = Ranges().Replace(text, "[]");
        text = Variables().Replace(text, " ");
        return Identifiers().Matches(text)
            .Where(m => !s_keywords.Contains(m.Value.ToLowerInvariant()))
            .Where(m => !FollowedByParenthesis(text, m.Index + m.Length))
            .Select(m => m.Value)
            .ToHashSet(StringComparer.Ordinal);
    }

    private static bool FollowedByParenthesis(string text, int index)
    {
        while (index < text.Length && char.IsWhiteSpace(text[index]))
        {
            index++;
        }

        return index < text.Length && text[index] == '(';
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex Strings();

    [GeneratedRegex("\\{[^}]*\\}")]
    private static partial Regex Matchers();

    [GeneratedRegex("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)")]
    private static partial Regex Grouping();

    [GeneratedRegex("\\[[^\\]]*\\]")]
    private static partial Regex Ranges();

    [GeneratedRegex("\\$\\{?[A-Za-z_][A-Za-z0-9_]*\\}?")]
    private static partial Regex Variables();

    [GeneratedRegex("(?<![A-Za-z0-9_.:])[A-Za-z_:][A-Za-z0-9_:]*")]
    private static partial Regex Identifiers();
}
