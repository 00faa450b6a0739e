using System.Globalization;

namespace WasmWizard.Deployment.Tests.Infrastructure;

/// <summary>
/// A resiliency <c>matching</c> list ("429,500-504"): codes and inclusive ranges. daprd refuses the whole Resiliency
/// resource when one entry is malformed or out of range (dapr pkg/resiliency/retry.go, parsePatterns).
/// </summary>
public static class StatusCodeList
{
    /// <summary>
    /// The codes, or the reason the list is not valid for codes from <paramref name="lowest"/> to
    /// <paramref name="highest"/> (100–599 for HTTP, 0–16 for gRPC).
    /// </summary>
    public static (IReadOnlyList<int> Codes, string? Error) Parse(string text, int lowest, int highest)
    {
        var codes = new List<int>();
        foreach (var entry in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var bounds = entry.Split('-');
            if (bounds.Length > 2
                || !int.TryParse(bounds[0], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
                || !int.TryParse(bounds[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var end))
            {
                return ([], $"\"{entry}\" is neither a code nor a range");
            }

            if (start < lowest || end > highest || end < start)
            {
                return ([], $"\"{entry}\" is outside {lowest}-{highest} or reversed");
            }

            codes.AddRange(Enumerable.Range(start, end - start + 1));
        }

        return codes.Count == 0 ? ([], "names no code; an empty list means every code") : (codes, null);
    }
}
