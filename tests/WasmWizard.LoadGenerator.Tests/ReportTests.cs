namespace WasmWizard.LoadGenerator.Tests;

/// <summary>
/// The arithmetic behind the figures BENCHMARKS.md publishes: which requests a window counts, how percentiles are
/// read, and when the overload target counts as met. No load runs here.
/// </summary>
public sealed class ReportTests
{
    private static readonly ProcessWindow TwoCpuSeconds =
        new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), TimeSpan.Zero, 0, 0, 0);

    [Fact]
    public void LatencySummary_ReadsNearestRankPercentiles_WhateverTheOrder()
    {
        var latencies = Enumerable.Range(1, 100).Select(i => (double)(i * 37 % 101)).ToList();
        var shuffled = latencies.OrderBy(l => l % 7).ToList();

        var summary = LatencySummary.From(shuffled);

        Assert.Equal(new LatencySummary(50, 90, 99, 100), summary);
        Assert.Equal(new LatencySummary(0, 0, 0, 0), LatencySummary.From([]));
    }

    [Fact]
    public void LoadReport_CountsSuccessesRefusalsAndErrors_AndTimesSuccessesApart()
    {
        var ok = new Outcome("200", Ok: true, Refused: false);
        var busy = new Outcome("429", Ok: false, Refused: true);
        List<Sample> samples =
        [
            new(10, ok, false), new(20, ok, false), new(30, ok, false),
            new(0.5, busy, false), new(0.5, busy, false), new(0.5, busy, false), new(0.5, busy, false),
            new(0.5, busy, false), new(1_000, new Outcome("Timeout", false, false), true),
        ];

        var report = LoadReport.From(samples, TimeSpan.FromSeconds(2), concurrency: 4, TwoCpuSeconds);

        Assert.Equal(9, report.Requests);
        Assert.Equal(4.5, report.RequestsPerSecond);
        Assert.Equal(3, report.Ok);
        Assert.Equal(1.5, report.OkPerSecond);
        Assert.Equal(5, report.Refused);
        Assert.Equal(0.5, report.Latency.P50);
        Assert.Equal(new LatencySummary(20, 30, 30, 30), report.OkLatency);
        Assert.Equal(new Dictionary<string, int> { ["200"] = 3, ["429"] = 5 }, report.Status);
        Assert.Equal(new Dictionary<string, int> { ["Timeout"] = 1 }, report.Errors);
        Assert.Equal(2_000_000 / 9.0, report.CpuMicrosecondsPerRequest!.Value, precision: 0);
    }

    [Fact]
    public void Overload_CountsOnlySuccessesAnsweredInsideTheWindow()
    {
        // Warm-up 1 s, window 1 s to 3 s; the peak was 2 ok/s.
        List<OpenSample> samples =
        [
            Answered(dueMs: 500, latencyMs: 10, status: 200),     // due in the warm-up: not in the window
            Answered(dueMs: 1_500, latencyMs: 10, status: 200),   // counts
            Answered(dueMs: 2_000, latencyMs: 10, status: 200),   // counts
            Answered(dueMs: 2_900, latencyMs: 500, status: 200),  // due inside, answered after the window
            Answered(dueMs: 2_950, latencyMs: 100, status: 200),  // likewise
            Answered(dueMs: 900, latencyMs: 200, status: 200),    // due in the warm-up, answered inside: counts
            Answered(dueMs: 1_200, latencyMs: 3, status: 503),
        ];

        var overload = OverloadSummary.From(
            samples, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), targetPerSecond: 8, peak: 2, TwoCpuSeconds);

        Assert.Equal(5, overload.Requests);
        Assert.Equal(4, overload.Ok);
        Assert.Equal(3, overload.OkAnsweredInWindow);
        Assert.Equal(1.5, overload.OkPerSecond);
        Assert.Equal(0.75, overload.OkToPeakRatio);
        Assert.False(OverloadChecks.Of(overload, rate: 8, fastMs: 100).Throughput);
    }

    [Fact]
    public void Overload_SortsEveryKindOfFailure_AndEachOneFailsTheTarget()
    {
        var good = Enumerable.Range(0, 40).Select(i => Answered(1_000 + (i * 25), latencyMs: 5, status: 200)).ToList();
        List<OpenSample> bad =
        [
            Answered(dueMs: 1_100, latencyMs: 2, status: 503, retryAfter: false),
            Answered(dueMs: 1_200, latencyMs: 2, status: 500),
            Answered(dueMs: 1_300, latencyMs: 2, status: 404),
            new(1_400, 1_400, 10_000, default, "Timeout"),
            new(1_500, 1_500, 0, default, "Overflow"),
            new(1_600, 1_600, 1, default, "HttpRequestException"),
        ];

        var clean = Summarize(good);
        var dirty = Summarize([.. good, .. bad]);
        var checks = OverloadChecks.Of(dirty, rate: 40, fastMs: 100);

        Assert.True(OverloadChecks.Of(clean, rate: 40, fastMs: 100).Met);
        Assert.Equal(1, dirty.RefusedWithoutRetryAfter);
        Assert.Equal(new Dictionary<string, int> { ["500"] = 1 }, dirty.ServerErrors);
        Assert.Equal(new Dictionary<string, int> { ["404"] = 1 }, dirty.OtherStatus);
        Assert.Equal((1, 1), (dirty.Timeouts, dirty.Overflow));
        Assert.Equal(new Dictionary<string, int> { ["HttpRequestException"] = 1 }, dirty.Errors);
        Assert.True(checks.Throughput);
        Assert.False(checks.RetryAfter);
        Assert.False(checks.NoServerErrors);
        Assert.False(checks.NoTimeouts);
        Assert.False(checks.NoOtherFailures);
        Assert.False(checks.Met);
    }

    [Fact]
    public void Overload_SlowRefusalsOrALostRate_FailTheTarget()
    {
        var answers = Enumerable.Range(0, 40).Select(i => Answered(1_000 + (i * 25), latencyMs: 5, status: 200)).ToList();
        var slowRefusal = Answered(dueMs: 1_050, latencyMs: 150, status: 503);
        // Requests that left a second after they were due, past the window's end: none left inside it.
        var late = answers.Select(s => s with { StartMs = s.DueMs + 1_000 }).ToList();

        var slow = OverloadChecks.Of(Summarize([.. answers, slowRefusal]), rate: 40, fastMs: 100);
        var lagging = Summarize(late);

        Assert.False(slow.FastRefusals);
        Assert.False(slow.Met);
        Assert.True(OverloadChecks.Of(Summarize([.. answers, slowRefusal]), rate: 40, fastMs: 200).Met);
        Assert.True(lagging.OfferedPerSecond < 38);
        Assert.False(OverloadChecks.Of(lagging, rate: 40, fastMs: 100).RateKept);
    }

    private static OverloadSummary Summarize(List<OpenSample> samples) => OverloadSummary.From(
        samples, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), targetPerSecond: 40, peak: 40, TwoCpuSeconds);

    private static OpenSample Answered(double dueMs, double latencyMs, int status, bool retryAfter = true) =>
        new(dueMs, dueMs, latencyMs, new Answer(status, status is 429 or 503 && retryAfter), null);
}
