using Microsoft.Extensions.Logging;

namespace WasmWizard.Api;

/// <summary>
/// Every log event of the api. Messages name ids and outcomes, never an API key, module bytes or stdin.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = ApiEventIds.UnhandledError, Level = LogLevel.Error, Message = "Unhandled error in {Method} {Path}")]
    public static partial void UnhandledError(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(EventId = ApiEventIds.DependencyUnavailable, Level = LogLevel.Warning,
        Message = "The {Dependency} is unavailable; the caller was told to retry")]
    public static partial void DependencyUnavailable(ILogger logger, Exception exception, string dependency);

    [LoggerMessage(EventId = ApiEventIds.AdminCredentialCreated, Level = LogLevel.Warning,
        Message = "Created an admin API key; it is in {Path} (readable by this user only)")]
    public static partial void AdminCredentialCreated(ILogger logger, string path);

    [LoggerMessage(EventId = ApiEventIds.AdminCredentialFile, Level = LogLevel.Information, Message = "Admin API key file: {Path}")]
    public static partial void AdminCredentialFile(ILogger logger, string path);

    [LoggerMessage(EventId = ApiEventIds.AdminKeyConfigured, Level = LogLevel.Information,
        Message = "The admin API key of Api:AdminApiKey is in place as key {KeyId}; no key file is written")]
    public static partial void AdminKeyConfigured(ILogger logger, Guid keyId);

    [LoggerMessage(EventId = ApiEventIds.AdminKeysRotated, Level = LogLevel.Warning,
        Message = "Revoked {Count} earlier admin API key(s); the admin key is now key {KeyId} of Api:AdminApiKey")]
    public static partial void AdminKeysRotated(ILogger logger, int count, Guid keyId);

    [LoggerMessage(EventId = ApiEventIds.KeyUsageNotSaved, Level = LogLevel.Warning, Message = "Could not save when keys were last used")]
    public static partial void KeyUsageNotSaved(ILogger logger, Exception exception);

    [LoggerMessage(EventId = ApiEventIds.AuditNotPublished, Level = LogLevel.Warning,
        Message = "Could not publish audit event {AuditEventId} of type {EventType}")]
    public static partial void AuditNotPublished(
        ILogger logger, Exception exception, string eventType, Guid auditEventId);

    [LoggerMessage(EventId = ApiEventIds.AuditEventLost, Level = LogLevel.Error,
        Message = "Audit event {AuditEventId} of type {EventType} is lost: too many events wait to be published again")]
    public static partial void AuditEventLost(ILogger logger, string eventType, Guid auditEventId);

    [LoggerMessage(EventId = ApiEventIds.ExecutionFinished, Level = LogLevel.Information,
        Message = "Execution {ExecutionId} of module {ModuleId}: {Outcome} (exit code {ExitCode}) in {DurationMs} ms")]
    public static partial void ExecutionFinished(
        ILogger logger, Guid executionId, Guid? moduleId, string outcome, int? exitCode, double durationMs);

    [LoggerMessage(EventId = ApiEventIds.ExecutionNotRecorded, Level = LogLevel.Warning,
        Message = "Could not record execution {ExecutionId}")]
    public static partial void ExecutionNotRecorded(ILogger logger, Exception exception, Guid executionId);

    [LoggerMessage(EventId = ApiEventIds.QueuedExecutionFailed, Level = LogLevel.Error,
        Message = "Queued execution {ExecutionId} could not be run; it is completed as rejected")]
    public static partial void QueuedExecutionFailed(ILogger logger, Exception exception, Guid executionId);

    [LoggerMessage(EventId = ApiEventIds.ExecutionResultNotPublished, Level = LogLevel.Warning,
        Message = "Execution {ExecutionId} completed, but its result event could not be published")]
    public static partial void ExecutionResultNotPublished(ILogger logger, Exception exception, Guid executionId);

    [LoggerMessage(EventId = ApiEventIds.ExecutionResultsRemoved, Level = LogLevel.Information,
        Message = "Removed {Count} asynchronous execution results older than {Hours} h")]
    public static partial void ExecutionResultsRemoved(ILogger logger, int count, int hours);

    [LoggerMessage(EventId = ApiEventIds.ExecutionRetentionFailed, Level = LogLevel.Warning,
        Message = "Could not remove expired asynchronous execution results; trying again later")]
    public static partial void ExecutionRetentionFailed(ILogger logger, Exception exception);
}
