using System.Diagnostics;
using System.Diagnostics.Metrics;
using WasmWizard.Shared.Contracts;

namespace WasmWizard.Executor.Sandbox;

/// <summary>
/// The sandbox's own instruments, on the meter <see cref="MeterName"/> that <c>/metrics</c> exports: runs by outcome,
/// their duration and fuel, the time of each phase (validate, compile, instantiate, run), runs in progress and free
/// guest slots, and how the compiled-module cache served runs. Labels are outcomes and phases only, never tenants or
/// modules: a label per tenant would grow without bound.
/// </summary>
public sealed class SandboxMetrics
{
    /// <summary>The meter's name (what an OpenTelemetry <c>AddMeter</c> names to collect it).</summary>
    public const string MeterName = "WasmWizard.Sandbox";

    // From a no-op module (well under a millisecond) to the longest run a tier allows (60 s).
    private static readonly double[] DurationBuckets =
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    // Instantiating a cached module takes tens of microseconds; compiling a large one, seconds.
    private static readonly double[] PhaseBuckets =
        [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private readonly Counter<long> _runs;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _fuel;
    private readonly Histogram<double> _phaseDuration;

    /// <summary>Creates the instruments on a meter of <paramref name="meters"/>.</summary>
    internal SandboxMetrics(IMeterFactory meters, GuestThreadPool pool, SandboxStatistics statistics)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(statistics);
        var meter = meters.Create(MeterName);
        _runs = meter.CreateCounter<long>("wasmwizard.sandbox.runs", "{run}", "Runs finished, by outcome.");
        _duration = meter.CreateHistogram(
            "wasmwizard.sandbox.run.duration",
            "s",
            "Time from the start of instantiation to the end of the run, by outcome.",
            tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _fuel = meter.CreateCounter<long>(
            "wasmwizard.sandbox.fuel.consumed", "{fuel}", "Fuel used by runs that were metered.");
        _phaseDuration = meter.CreateHistogram(
            "wasmwizard.sandbox.phase.duration",
            "s",
            "Time of one phase of the sandbox's work: validate and compile (first upload), instantiate and run.",
            tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = PhaseBuckets });
        meter.CreateObservableGauge(
            "wasmwizard.sandbox.runs.active", () => pool.ActiveRuns, "{run}", "Runs executing on a guest thread now.");
        meter.CreateObservableGauge(
            "wasmwizard.sandbox.slots.free", () => pool.FreeSlots, "{slot}", "Guest threads free to start a run.");
        meter.CreateObservableCounter(
            "wasmwizard.sandbox.module_cache.memory_hits", () => statistics.MemoryHits, "{lookup}",
            "Runs and prepares served by a module already compiled in memory.");
        meter.CreateObservableCounter(
            "wasmwizard.sandbox.module_cache.disk_loads", () => statistics.DiskLoads, "{lookup}",
            "Compiled modules loaded from this executor's disk (a miss in memory).");
        meter.CreateObservableCounter(
            "wasmwizard.sandbox.module_cache.compilations", () => statistics.Compilations, "{compilation}",
            "Modules compiled (a miss in memory and on disk, or a first upload).");
        meter.CreateObservableCounter(
            "wasmwizard.sandbox.module_cache.misses", () => statistics.Misses, "{lookup}",
            "Runs and prepares that found no compiled module in memory (then loaded from disk or compiled).");
        meter.CreateObservableCounter(
            "wasmwizard.sandbox.module_cache.evictions", () => statistics.Evictions, "{module}",
            "Compiled modules dropped from memory to keep the cache within its entry and byte bounds.");
    }

    /// <summary>Records how long <paramref name="phase"/> took, from a <see cref="Stopwatch"/> timestamp.</summary>
    public void PhaseFinished(SandboxPhase phase, long startedTimestamp)
    {
        ArgumentNullException.ThrowIfNull(phase);
        _phaseDuration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, phase.Tag);
    }

    /// <summary>Counts a finished run.</summary>
    public void RunFinished(RunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var outcome = new KeyValuePair<string, object?>("outcome", result.Outcome);
        _runs.Add(1, outcome);
        _duration.Record(result.DurationMs / 1000, outcome);
        if (result.FuelConsumed is { } fuel)
        {
            _fuel.Add((long)Math.Min(fuel, long.MaxValue));
        }
    }
}
