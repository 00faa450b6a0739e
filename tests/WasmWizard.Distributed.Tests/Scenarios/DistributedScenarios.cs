using WasmWizard.Distributed.Tests.Infrastructure;

namespace WasmWizard.Distributed.Tests.Scenarios;

/// <summary>The scenario suite against the three Dapr services and their sidecar doubles.</summary>
public sealed class DistributedScenarios(DistributedComposition composition)
    : ScenarioSuite(composition), IClassFixture<DistributedComposition>;
