using WasmWizard.Distributed.Tests.Infrastructure;

namespace WasmWizard.Distributed.Tests.Scenarios;

/// <summary>The scenario suite against real daprd sidecars; skipped, saying why, where daprd is not installed.</summary>
public sealed class RealDaprdScenarios(RealDaprdComposition composition)
    : ScenarioSuite(composition), IClassFixture<RealDaprdComposition>;
