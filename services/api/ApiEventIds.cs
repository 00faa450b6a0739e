namespace WasmWizard.Api;

/// <summary>Event ids of the api's log events, banded by area (1000s: HTTP, 1100s: identity, 1200s: runs).</summary>
internal static class ApiEventIds
{
    public const int UnhandledError = 1001;
    public const int DependencyUnavailable = 1002;

    public const int AdminCredentialCreated = 1101;
    public const int AdminCredentialFile = 1102;
    public const int KeyUsageNotSaved = 1103;
    public const int AuditNotPublished = 1104;
    public const int AuditEventLost = 1105;
    public const int AdminKeyConfigured = 1106;
    public const int AdminKeysRotated = 1107;

    public const int ExecutionFinished = 1201;
    public const int ExecutionNotRecorded = 1202;
    public const int QueuedExecutionFailed = 1203;
    public const int ExecutionResultsRemoved = 1204;
    public const int ExecutionRetentionFailed = 1205;
    public const int ExecutionResultNotPublished = 1206;
}
