using System.Text.Json.Serialization;

namespace WasmWizard.LoadGenerator;

/// <summary>Latency percentiles (nearest rank) and maximum, in milliseconds.</summary>
public sealed record LatencySummary(
    [property: JsonPropertyName("p50")] double P50,
    [property: JsonPropertyName("p90")] double P90,
    [property: JsonPropertyName("p99")] double P99,
    [property: JsonPropertyName("max")] double Max)
{
    public static LatencySummary From(IEnumerable<double> latencies)
    {
        var sorted = latencies.Order().ToArray();
        if (sorted.Length == 0)
        {
            return new LatencySummary(0, 0, 0, 0);
        }

        double At(double fraction) => Math.Round(sorted[Math.Max(0, (int)Math.Ceiling(fraction * sorted.Length) - 1)], 3);
        return new LatencySummary(At(0.50), At(0.90), At(0.99), Math.Round(sorted[^1], 3));
    }
}
