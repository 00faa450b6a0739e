using WasmWizard.Distributed.Tests.Infrastructure;

namespace WasmWizard.Distributed.Tests.Scenarios;

/// <summary>
/// The scenario suite against the three Dapr services with API and app tokens on: every call between app and
/// sidecar, in both directions, must carry the right token, or a scenario fails.
/// </summary>
public sealed class SecuredDistributedScenarios(SecuredDistributedComposition composition)
    : ScenarioSuite(composition), IClassFixture<SecuredDistributedComposition>;
