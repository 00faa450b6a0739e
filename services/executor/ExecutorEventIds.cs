namespace WasmWizard.Executor;

/// <summary>Event ids of the executor's log events, banded by area (2000s: engine, 2100s: modules, 2200s: the host).</summary>
internal static class ExecutorEventIds
{
    public const int EngineReady = 2001;

    public const int ModuleCompiled = 2101;
    public const int ArtifactDiscarded = 2102;
    public const int ArtifactNotPersisted = 2103;
    public const int NotInstrumented = 2104;

    public const int AppTokenNotRequired = 2201;
    public const int UnhandledError = 2202;
}
