using System.Text.Json.Serialization;

namespace WasmWizard.LoadGenerator;

/// <summary>
/// The overload target, one condition at a time, as the report prints them; <see cref="Met"/> needs all.
/// </summary>
public sealed record OverloadChecks(
    [property: JsonPropertyName("throughput_at_least_80_percent_of_peak")] bool Throughput,
    [property: JsonPropertyName("every_refusal_has_retry_after")] bool RetryAfter,
    [property: JsonPropertyName("refusals_fast_p99")] bool FastRefusals,
    [property: JsonPropertyName("no_5xx")] bool NoServerErrors,
    [property: JsonPropertyName("no_timeouts")] bool NoTimeouts,
    [property: JsonPropertyName("no_other_failures")] bool NoOtherFailures,
    [property: JsonPropertyName("offered_rate_kept")] bool RateKept)
{
    public const double ThroughputShare = 0.8;

    // Below this the generator, not the service, decided the load, and the run does not test the target.
    public const double KeptRateShare = 0.95;

    [JsonIgnore]
    public bool Met =>
        Throughput && RetryAfter && FastRefusals && NoServerErrors && NoTimeouts && NoOtherFailures && RateKept;

    /// <summary>
    /// Checks what a window offered <paramref name="rate"/> requests/s gave; a refusal is fast when the refusals'
    /// p99 is at most <paramref name="fastMs"/>.
    /// </summary>
    public static OverloadChecks Of(OverloadSummary overload, double rate, double fastMs)
    {
        ArgumentNullException.ThrowIfNull(overload);
        return new OverloadChecks(
            overload.OkToPeakRatio >= ThroughputShare,
            overload.RefusedWithoutRetryAfter == 0,
            overload.RefusedLatency.P99 <= fastMs,
            overload.ServerErrors.Count == 0,
            overload.Timeouts == 0,
            overload.OtherStatus.Count == 0 && overload.Errors.Count == 0 && overload.Overflow == 0,
            overload.OfferedPerSecond >= KeptRateShare * rate);
    }
}
