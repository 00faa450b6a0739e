using System.Text.Json.Serialization;

namespace WasmWizard.LoadGenerator;

/// <summary>
/// What one closed-loop phase measured. <c>latency_ms</c> covers every request, refused and failed ones included, and
/// <c>latency_ok_ms</c> the successes alone, since fast refusals pull the first down; a refused client's back-off
/// before its next request is not part of any latency. CPU is this process's over the window
/// (<see cref="ProcessMeter"/>), and per request counted in it; <c>process</c> has the window's GC pauses and
/// thread-pool peaks.
/// </summary>
public sealed record LoadReport(
    [property: JsonPropertyName("concurrency")] int Concurrency,
    [property: JsonPropertyName("duration_s")] double DurationSeconds,
    [property: JsonPropertyName("requests")] int Requests,
    [property: JsonPropertyName("requests_per_s")] double RequestsPerSecond,
    [property: JsonPropertyName("ok")] int Ok,
    [property: JsonPropertyName("ok_per_s")] double OkPerSecond,
    [property: JsonPropertyName("refused")] int Refused,
    [property: JsonPropertyName("latency_ms")] LatencySummary Latency,
    [property: JsonPropertyName("latency_ok_ms")] LatencySummary OkLatency,
    [property: JsonPropertyName("status")] SortedDictionary<string, int> Status,
    [property: JsonPropertyName("errors")] SortedDictionary<string, int> Errors,
    [property: JsonPropertyName("cpu_us_per_request")] double? CpuMicrosecondsPerRequest,
    [property: JsonPropertyName("process")] ProcessWindow Process)
{
    [JsonPropertyName("cpu_s")]
    public double CpuSeconds => Process.CpuSeconds;

    [JsonPropertyName("cpu_busy")]
    public double CpuBusy => Process.Busy;

    public static LoadReport From(List<Sample> samples, TimeSpan duration, int concurrency, ProcessWindow process)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var seconds = duration.TotalSeconds;
        var ok = samples.Count(s => s.Outcome.Ok);
        var status = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var errors = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var sample in samples)
        {
            var counts = sample.Error ? errors : status;
            counts[sample.Outcome.Label] = counts.GetValueOrDefault(sample.Outcome.Label) + 1;
        }

        return new LoadReport(
            concurrency,
            seconds,
            samples.Count,
            Math.Round(samples.Count / seconds, 1),
            ok,
            Math.Round(ok / seconds, 1),
            samples.Count(s => s.Outcome.Refused),
            LatencySummary.From(samples.Select(s => s.LatencyMs)),
            LatencySummary.From(samples.Where(s => s.Outcome.Ok).Select(s => s.LatencyMs)),
            status,
            errors,
            process.MicrosecondsEach(samples.Count),
            process);
    }
}
