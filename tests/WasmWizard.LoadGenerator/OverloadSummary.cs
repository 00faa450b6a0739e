using System.Globalization;
using System.Text.Json.Serialization;

namespace WasmWizard.LoadGenerator;

/// <summary>
/// What the open-loop window of the overload mode measured. Requests count when they were due inside the window;
/// each is followed to its answer or its timeout, even past the window's end. Throughput is different: successes
/// answered inside the window, per second, so a queue that grows during the window (answers arriving after it)
/// cannot pass for throughput. The offered rate counts the requests that really left inside the window, so it
/// shows whether the generator kept the rate it was asked for. CPU is this process's over the window, and per
/// answer (any status) that arrived in it; <c>process</c> has its GC pauses and thread-pool
/// peaks.
/// </summary>
public sealed record OverloadSummary(
    [property: JsonPropertyName("target_rate_per_s")] double TargetPerSecond,
    [property: JsonPropertyName("offered_per_s")] double OfferedPerSecond,
    [property: JsonPropertyName("schedule_lag_ms")] LatencySummary ScheduleLag,
    [property: JsonPropertyName("duration_s")] double DurationSeconds,
    [property: JsonPropertyName("requests")] int Requests,
    [property: JsonPropertyName("ok")] int Ok,
    [property: JsonPropertyName("ok_answered_in_window")] int OkAnsweredInWindow,
    [property: JsonPropertyName("ok_per_s")] double OkPerSecond,
    [property: JsonPropertyName("ok_to_peak_ratio")] double OkToPeakRatio,
    [property: JsonPropertyName("refused")] int Refused,
    [property: JsonPropertyName("refused_by_status")] SortedDictionary<string, int> RefusedByStatus,
    [property: JsonPropertyName("refused_without_retry_after")] int RefusedWithoutRetryAfter,
    [property: JsonPropertyName("server_errors_5xx")] SortedDictionary<string, int> ServerErrors,
    [property: JsonPropertyName("other_status")] SortedDictionary<string, int> OtherStatus,
    [property: JsonPropertyName("timeouts")] int Timeouts,
    [property: JsonPropertyName("overflow")] int Overflow,
    [property: JsonPropertyName("errors")] SortedDictionary<string, int> Errors,
    [property: JsonPropertyName("latency_ok_ms")] LatencySummary OkLatency,
    [property: JsonPropertyName("latency_refused_ms")] LatencySummary RefusedLatency,
    [property: JsonPropertyName("cpu_us_per_answer")] double? CpuMicrosecondsPerAnswer,
    [property: JsonPropertyName("process")] ProcessWindow Process)
{
    [JsonPropertyName("cpu_s")]
    public double CpuSeconds => Process.CpuSeconds;

    [JsonPropertyName("cpu_busy")]
    public double CpuBusy => Process.Busy;

    public static OverloadSummary From(
        IReadOnlyList<OpenSample> samples, TimeSpan warmup, TimeSpan duration, double targetPerSecond, double peak,
        ProcessWindow process)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var from = warmup.TotalMilliseconds;
        var to = from + duration.TotalMilliseconds;
        var seconds = duration.TotalSeconds;
        var window = samples.Where(s => s.DueMs >= from && s.DueMs < to).ToList();
        var sent = samples.Where(s => s.Error != "Overflow").ToList();
        var answered = window.Where(s => s.Error is null).ToList();
        var ok = answered.Where(IsOk).ToList();
        bool AnsweredInWindow(OpenSample s) => s.StartMs + s.LatencyMs >= from && s.StartMs + s.LatencyMs < to;
        var okAnswered = samples.Count(s => IsOk(s) && AnsweredInWindow(s));
        var refused = answered.Where(s => s.Answer.Status is 429 or 503).ToList();
        // Every answer that arrived inside the window, whenever it was due: what the window's CPU was spent on.
        var answersInWindow = samples.Count(s => s.Error is null && AnsweredInWindow(s));
        var serverErrors = answered.Where(s => s.Answer.Status >= 500 && s.Answer.Status != 503);
        var other = answered.Where(s => s.Answer.Status is < 200 or (>= 300 and < 500) && s.Answer.Status != 429);
        var errors = window.Where(s => s.Error is not (null or "Timeout" or "Overflow"));
        return new OverloadSummary(
            Math.Round(targetPerSecond, 1),
            Math.Round(sent.Count(s => s.StartMs >= from && s.StartMs < to) / seconds, 1),
            LatencySummary.From(sent.Where(s => s.DueMs >= from && s.DueMs < to).Select(s => s.StartMs - s.DueMs)),
            seconds,
            window.Count,
            ok.Count,
            okAnswered,
            Math.Round(okAnswered / seconds, 1),
            Math.Round(okAnswered / seconds / peak, 3),
            refused.Count,
            Count(refused.Select(s => Status(s))),
            refused.Count(s => !s.Answer.RetryAfter),
            Count(serverErrors.Select(s => Status(s))),
            Count(other.Select(s => Status(s))),
            window.Count(s => s.Error == "Timeout"),
            window.Count(s => s.Error == "Overflow"),
            Count(errors.Select(s => s.Error!)),
            LatencySummary.From(ok.Select(s => s.LatencyMs)),
            LatencySummary.From(refused.Select(s => s.LatencyMs)),
            process.MicrosecondsEach(answersInWindow),
            process);
    }

    private static bool IsOk(OpenSample sample) => sample.Error is null && sample.Answer.Status is >= 200 and < 300;

    private static string Status(OpenSample sample) => sample.Answer.Status.ToString(CultureInfo.InvariantCulture);

    private static SortedDictionary<string, int> Count(IEnumerable<string> labels)
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var label in labels)
        {
            counts[label] = counts.GetValueOrDefault(label) + 1;
        }

        return counts;
    }
}
