using System.Collections.Concurrent;
using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace WasmWizard.Benchmarks;

/// <summary>
/// The mean divided by the actual size of the module in KB. The size parameter is only the target; the real
/// module is measured, so the figure does not drift with the generator's rounding.
/// </summary>
public sealed class PerKilobyteColumn : IColumn
{
    private readonly ConcurrentDictionary<int, double> _kilobytes = new();

    public string Id => nameof(PerKilobyteColumn);

    public string ColumnName => "PerKB";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Time;

    public string Legend => "Mean compile time per KB of module bytes (the module's real size, not the target)";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
        GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(benchmarkCase);
        var statistics = summary[benchmarkCase]?.ResultStatistics;
        if (statistics is null || benchmarkCase.Parameters[nameof(CompileBenchmarks.SizeKb)] is not int target)
        {
            return "NA";
        }

        var kilobytes = _kilobytes.GetOrAdd(target, kb => BenchmarkModules.Synthetic(kb).Length / 1024.0);
        var microseconds = statistics.Mean / 1000 / kilobytes;
        return microseconds.ToString("0.00", CultureInfo.InvariantCulture) + " μs";
    }

    public override string ToString() => ColumnName;
}
