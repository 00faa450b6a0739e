using BenchmarkDotNet.Configs;

namespace WasmWizard.Benchmarks;

/// <summary>The default configuration plus the compile cost per KB of module.</summary>
public sealed class PerKilobyteConfig : ManualConfig
{
    public PerKilobyteConfig() => AddColumn(new PerKilobyteColumn());
}
