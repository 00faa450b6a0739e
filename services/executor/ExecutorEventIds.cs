namespace WasmWizard.Executor;

/// <summary>Event ids of the executor's log events, banded by area (2000s: engine, 2100s: modules, 2200s: the host, 2300s: execution requests).</summary>
internal static class ExecutorEventIds
{
    public const int EngineReady = 2001;
    public const int RunReleaseFailed = 2002;

    public const int ModuleCompiled = 2101;
    public const int ArtifactDiscarded = 2102;
    public const int ArtifactNotPersisted = 2103;

    public const int AppTokenNotRequired = 2201;
    public const int UnhandledError = 2202;

    public const int RequestUnreadable = 2301;
    public const int RequestRefused = 2302;
    public const int RequestFailed = 2303;
    public const int RequestRecordFailed = 2304;
    public const int RequestFinished = 2305;
    public const int RequestInterrupted = 2306;
}
