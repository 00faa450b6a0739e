using System.Globalization;
using System.Net;

namespace WasmWizard.Tests.Shared;

/// <summary>
/// One answer of a service's <c>/metrics</c>, read as an operator's Prometheus reads it: samples by name and labels.
/// Meters are process-wide by name, so every host of a test process exports every host's measurements; tests compare
/// two scrapes (an increase) and filter by labels rather than expect exact totals.
/// </summary>
internal sealed class PrometheusScrape
{
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _samples = [];

    private PrometheusScrape(string text)
    {
        Text = text;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var labelsAt = line.IndexOf('{', StringComparison.Ordinal);
            var labelsEnd = labelsAt < 0 ? -1 : line.LastIndexOf('}');
            var name = labelsAt < 0 ? line[..line.IndexOf(' ', StringComparison.Ordinal)] : line[..labelsAt];
            Dictionary<string, string> labels = labelsAt < 0 ? [] : ParseLabels(line[(labelsAt + 1)..labelsEnd]);
            var rest = line[(labelsAt < 0 ? name.Length : labelsEnd + 1)..].Trim().Split(' ');
            _samples.Add((name, labels, double.Parse(rest[0], CultureInfo.InvariantCulture)));
        }
    }

    /// <summary>The answer as served.</summary>
    public string Text { get; }

    /// <summary>Scrapes <c>/metrics</c> with <paramref name="client"/>; fails the test unless it answers 200.</summary>
    public static async Task<PrometheusScrape> OfAsync(HttpClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var response = await client.GetAsync("/metrics", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new PrometheusScrape(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    /// <summary>Whether a sample of <paramref name="name"/> carries every label of <paramref name="labels"/>.</summary>
    public bool Has(string name, params (string Key, string Value)[] labels) => Matching(name, labels).Any();

    /// <summary>The sum of the samples of <paramref name="name"/> that carry every label given (0 when none).</summary>
    public double Sum(string name, params (string Key, string Value)[] labels) => Matching(name, labels).Sum();

    /// <summary>How much <see cref="Sum"/> grew from <paramref name="before"/> to this scrape.</summary>
    public double Since(PrometheusScrape before, string name, params (string Key, string Value)[] labels)
    {
        ArgumentNullException.ThrowIfNull(before);
        return Sum(name, labels) - before.Sum(name, labels);
    }

    /// <summary>The names of every sample, to check a query's metric names against what is exported.</summary>
    public IReadOnlySet<string> Names => _samples.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);

    private IEnumerable<double> Matching(string name, (string Key, string Value)[] labels) =>
        _samples
            .Where(s => s.Name == name
                && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value))
            .Select(s => s.Value);

    // Label values here are plain words (outcomes, tiers, event types, buckets); escapes are undone for safety.
    private static Dictionary<string, string> ParseLabels(string text)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var at = 0;
        while (at < text.Length)
        {
            var equals = text.IndexOf("=\"", at, StringComparison.Ordinal);
            var key = text[at..equals].Trim(',', ' ');
            var end = equals + 2;
            while (text[end] != '"' || text[end - 1] == '\\')
            {
                end++;
            }

            labels[key] = text[(equals + 2)..end].Replace("\\\"", "\"", StringComparison.Ordinal);
            at = end + 1;
        }

        return labels;
    }
}
