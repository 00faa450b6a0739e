using WasmWizard.Distributed.Tests.Infrastructure;

namespace WasmWizard.Distributed.Tests.Scenarios;

/// <summary>The scenario suite against the embedded host.</summary>
public sealed class EmbeddedScenarios(EmbeddedComposition composition)
    : ScenarioSuite(composition), IClassFixture<EmbeddedComposition>;
