using WasmWizard.Shared.Dapr;

namespace WasmWizard.Deployment.Tests.Infrastructure;

/// <summary>The app ids the code knows (<see cref="DaprNames"/>).</summary>
public static class KnownApps
{
    /// <summary>api, executor and audit.</summary>
    public static IReadOnlyList<string> Ids { get; } =
        [DaprNames.ApiAppId, DaprNames.ExecutorAppId, DaprNames.AuditAppId];
}
