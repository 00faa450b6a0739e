using System.Diagnostics.Metrics;
using WasmWizard.Shared.Contracts.Events;

namespace WasmWizard.Audit;

/// <summary>
/// The audit trail's instruments, on the meter <see cref="MeterName"/>: events appended to the chains by type, how
/// long an event took from occurring to being written, and verifications that found a chain broken. They live where
/// the trail is written, so the audit service and the embedded host (whichever store, SQLite or PostgreSQL) export
/// the same names.
/// </summary>
public sealed class AuditMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "WasmWizard.Audit";

    /// <summary>The type label of an event whose type is not one of <see cref="AuditEventTypes"/>.</summary>
    public const string OtherType = "other";

    // From a direct write (milliseconds) through a broker's redelivery to an outage the outbox rode out (hours).
    private static readonly double[] LagBuckets =
        [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

    private readonly Counter<long> _written;
    private readonly Histogram<double> _lag;
    private readonly Counter<long> _verificationFailures;

    /// <summary>Creates the instruments on a meter of <paramref name="meters"/>.</summary>
    public AuditMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _written = meter.CreateCounter<long>(
            "wasmwizard.audit.events.written",
            "{event}",
            "Audit events appended to the trail (repeated deliveries not), by type.");
        _lag = meter.CreateHistogram(
            "wasmwizard.audit.lag",
            "s",
            "Time from an audit event's occurrence to its write into the trail.",
            tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = LagBuckets });
        _verificationFailures = meter.CreateCounter<long>(
            "wasmwizard.audit.chain.verification_failures",
            "{verification}",
            "Verifications of the audit hash chains that found a chain broken.");

        // Exported as 0 from the start: an alert on increase() sees nothing when a series is born at 1.
        _verificationFailures.Add(0);
    }

    /// <summary>Counts <paramref name="event"/>, appended at <paramref name="writtenAt"/>; records its lag.</summary>
    public void Written(AuditEvent @event, DateTimeOffset writtenAt)
    {
        ArgumentNullException.ThrowIfNull(@event);
        // Publishers are ours, but the label must stay bounded even if one sends a type nobody defined.
        var type = AuditEventTypes.All.Contains(@event.Type) ? @event.Type : OtherType;
        _written.Add(1, new KeyValuePair<string, object?>("type", type));

        // The event was stamped by the publisher's clock: a little skew must not record a negative lag.
        _lag.Record(Math.Max(0, (writtenAt - @event.OccurredAt).TotalSeconds));
    }

    /// <summary>Counts a verification that found at least one break.</summary>
    public void VerificationFailed() => _verificationFailures.Add(1);
}
