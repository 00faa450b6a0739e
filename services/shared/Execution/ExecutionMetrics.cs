using System.Diagnostics.Metrics;

namespace WasmWizard.Shared.Execution;

/// <summary>
/// Finished executions and the wait of queued ones, on the meter <see cref="MeterName"/>. The service that runs an
/// execution counts it (the api its synchronous runs, the embedded queue or the distributed executor the queued
/// ones), so each one is counted once and every service exports the same instrument names. Labels come from small
/// fixed sets (outcomes, configured tiers, two modes), never from tenants, keys or input.
/// </summary>
public sealed class ExecutionMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "WasmWizard.Executions";

    /// <summary>The mode label of a run the caller waited for.</summary>
    public const string Sync = "sync";

    /// <summary>The mode label of a run taken from the queue (submitted over REST or published).</summary>
    public const string Queued = "queued";

    // From a dispatch on an idle host (milliseconds) to a backlog that drains for minutes.
    private static readonly double[] WaitBuckets =
        [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

    private readonly Counter<long> _executions;
    private readonly Histogram<double> _queueWait;

    /// <summary>Creates the instruments on a meter of <paramref name="meters"/>.</summary>
    public ExecutionMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _executions = meter.CreateCounter<long>(
            "wasmwizard.executions", "{execution}", "Executions finished, by outcome, tier and mode (sync or queued).");
        _queueWait = meter.CreateHistogram(
            "wasmwizard.execution.queue_wait",
            "s",
            "Time from a queued execution's acceptance to the start of its run, by tier.",
            tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = WaitBuckets });
    }

    /// <summary>Counts a finished execution.</summary>
    public void Finished(string outcome, string tier, string mode) =>
        _executions.Add(
            1,
            new KeyValuePair<string, object?>("outcome", outcome),
            new KeyValuePair<string, object?>("tier", tier),
            new KeyValuePair<string, object?>("mode", mode));

    /// <summary>
    /// Records how long a queued execution accepted at <paramref name="acceptedAt"/> waited for its run, which
    /// started at <paramref name="startedAt"/>.
    /// </summary>
    public void QueueWaited(string tier, DateTimeOffset acceptedAt, DateTimeOffset startedAt) =>
        // Acceptance may be stamped by another replica's clock: a little skew must not record a negative wait.
        _queueWait.Record(
            Math.Max(0, (startedAt - acceptedAt).TotalSeconds), new KeyValuePair<string, object?>("tier", tier));
}
