using BenchmarkDotNet.Running;
using WasmWizard.Benchmarks;
using WasmWizard.Tests.Shared;

// Say up front when the corpus module is left out, so a run without it is not mistaken for a full one.
if (CorpusLocation.Directory is null)
{
    Console.Error.WriteLine($"Benchmarks on {BenchmarkModules.HelloWorld} are skipped. {CorpusLocation.MissingReason}");
}

BenchmarkSwitcher.FromAssembly(typeof(BenchmarkModules).Assembly).Run(args);
