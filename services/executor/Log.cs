using Microsoft.Extensions.Logging;

namespace WasmWizard.Executor;

/// <summary>Every log event of the executor. Messages name module hashes, never module bytes, stdin or output.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = ExecutorEventIds.EngineReady, Level = LogLevel.Information,
        Message = "Wasmtime engine ready (fingerprint {Fingerprint}, fuel {Fuel}, pooling {Pooling})")]
    public static partial void EngineReady(ILogger logger, string fingerprint, bool fuel, bool pooling);

    [LoggerMessage(EventId = ExecutorEventIds.RunReleaseFailed, Level = LogLevel.Error,
        Message = "Releasing a finished run's store or input file failed; the guest thread goes on")]
    public static partial void RunReleaseFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = ExecutorEventIds.ModuleCompiled, Level = LogLevel.Information,
        Message = "Compiled module {Sha256} ({SizeBytes} bytes) in {ElapsedMs} ms")]
    public static partial void ModuleCompiled(ILogger logger, string sha256, int sizeBytes, long elapsedMs);

    [LoggerMessage(EventId = ExecutorEventIds.ArtifactDiscarded, Level = LogLevel.Warning,
        Message = "Discarded compiled artifact of module {Sha256}: {Reason}")]
    public static partial void ArtifactDiscarded(ILogger logger, string sha256, string reason);

    [LoggerMessage(EventId = ExecutorEventIds.ArtifactNotPersisted, Level = LogLevel.Warning,
        Message = "Could not persist compiled module {Sha256}: {Reason}")]
    public static partial void ArtifactNotPersisted(ILogger logger, string sha256, string reason);

    [LoggerMessage(EventId = ExecutorEventIds.AppTokenNotRequired, Level = LogLevel.Warning,
        Message = "APP_API_TOKEN is not set, so the internal endpoints answer loopback callers only; set it here "
            + "and on the sidecar wherever the sidecar is not on this machine's loopback or others share it")]
    public static partial void AppTokenNotRequired(ILogger logger);

    [LoggerMessage(EventId = ExecutorEventIds.UnhandledError, Level = LogLevel.Error,
        Message = "Unhandled error in {Method} {Path}")]
    public static partial void UnhandledError(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(EventId = ExecutorEventIds.RequestUnreadable, Level = LogLevel.Warning,
        Message = "Execution request event {CloudEventId} cannot be read ({Reason}); it goes to the dead-letter topic")]
    public static partial void RequestUnreadable(ILogger logger, string? cloudEventId, string reason);

    [LoggerMessage(EventId = ExecutorEventIds.RequestRefused, Level = LogLevel.Information,
        Message = "Execution request {ExecutionRequestId} of tenant {TenantId} refused: {Code}")]
    public static partial void RequestRefused(ILogger logger, Guid executionRequestId, Guid tenantId, string code);

    [LoggerMessage(EventId = ExecutorEventIds.RequestFailed, Level = LogLevel.Error,
        Message = "Execution request {ExecutionRequestId} could not be run because of an internal error")]
    public static partial void RequestFailed(ILogger logger, Exception exception, Guid executionRequestId);

    [LoggerMessage(EventId = ExecutorEventIds.RequestRecordFailed, Level = LogLevel.Warning,
        Message = "Execution {ExecutionRequestId} ran, but its {What} could not be written")]
    public static partial void RequestRecordFailed(
        ILogger logger, Exception exception, Guid executionRequestId, string what);

    [LoggerMessage(EventId = ExecutorEventIds.RequestFinished, Level = LogLevel.Information,
        Message = "Execution {ExecutionRequestId} of module {ModuleId} finished: {Outcome} (exit code {ExitCode}) "
            + "in {DurationMs} ms")]
    public static partial void RequestFinished(
        ILogger logger, Guid executionRequestId, Guid moduleId, string outcome, int? exitCode, double durationMs);

    [LoggerMessage(EventId = ExecutorEventIds.RequestInterrupted, Level = LogLevel.Warning,
        Message = "Execution {ExecutionRequestId} was left running since {StartedAt} by an executor that stopped; "
            + "marked interrupted")]
    public static partial void RequestInterrupted(ILogger logger, Guid executionRequestId, DateTimeOffset startedAt);
}
