namespace WasmWizard.Shared.Dapr;

/// <summary>How the api calls the executor through Dapr (section <c>ExecutorClient</c>).</summary>
/// <remarks>
/// Configuration shape:
/// <code>
/// "ExecutorClient": { "TimeoutSeconds": 90 }
/// </code>
/// </remarks>
public sealed class ExecutorClientOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "ExecutorClient";

    /// <summary>
    /// How long one call may take, beyond a run's own deadline (<c>RunLimits.TimeoutMs</c>, which a run's call
    /// adds), before the executor counts as unavailable. A run by hash may wait for a compile slot and then compile,
    /// each up to the sandbox's 30 s compile budget, and a 16 MiB module crosses two sidecars: 90 s leaves room for
    /// all of it. Keep it above twice <c>Sandbox:CompileTimeoutMs</c> when that changes.
    /// </summary>
    public int TimeoutSeconds { get; set; } = 90;
}
