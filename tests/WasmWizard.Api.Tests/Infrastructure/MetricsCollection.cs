namespace WasmWizard.Api.Tests.Infrastructure;

/// <summary>
/// The test classes that scrape <c>/metrics</c>: they run one at a time, after every other class of their assembly.
/// Once any meter is disposed (a host of another test class stopping), OpenTelemetry stops exporting the instruments
/// of every meter with the same name, in every host of the process that is running then
/// (https://github.com/open-telemetry/opentelemetry-dotnet/issues/6412); a scrape in parallel with other classes
/// would miss metrics at random. A class here that starts a second host must not stop it while another one's
/// metrics are still to be read.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Metrics (one host at a time)";
}
