using Microsoft.Extensions.Logging;

namespace WasmWizard.Executor;

/// <summary>Every log event of the executor. Messages name module hashes, never module bytes, stdin or output.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = ExecutorEventIds.EngineReady, Level = LogLevel.Information,
        Message = "Wasmtime engine ready (fingerprint {Fingerprint}, fuel {Fuel}, pooling {Pooling})")]
    public static partial void EngineReady(ILogger logger, string fingerprint, bool fuel, bool pooling);

    [LoggerMessage(EventId = ExecutorEventIds.ModuleCompiled, Level = LogLevel.Information,
        Message = "Compiled module {Sha256} ({SizeBytes} bytes) in {ElapsedMs} ms")]
    public static partial void ModuleCompiled(ILogger logger, string sha256, int sizeBytes, long elapsedMs);

    [LoggerMessage(EventId = ExecutorEventIds.ArtifactDiscarded, Level = LogLevel.Warning,
        Message = "Discarded compiled artifact of module {Sha256}: {Reason}")]
    public static partial void ArtifactDiscarded(ILogger logger, string sha256, string reason);

    [LoggerMessage(EventId = ExecutorEventIds.ArtifactNotPersisted, Level = LogLevel.Warning,
        Message = "Could not persist compiled module {Sha256}: {Reason}")]
    public static partial void ArtifactNotPersisted(ILogger logger, string sha256, string reason);

    [LoggerMessage(EventId = ExecutorEventIds.NotInstrumented, Level = LogLevel.Warning,
        Message = "Module {Sha256} runs without memory.grow tracking: {Reason}")]
    public static partial void NotInstrumented(ILogger logger, string sha256, string reason);

    [LoggerMessage(EventId = ExecutorEventIds.AppTokenNotRequired, Level = LogLevel.Warning,
        Message = "APP_API_TOKEN is not set, so the internal endpoints answer loopback callers only; set it here "
            + "and on the sidecar wherever the sidecar is not on this machine's loopback or others share it")]
    public static partial void AppTokenNotRequired(ILogger logger);

    [LoggerMessage(EventId = ExecutorEventIds.UnhandledError, Level = LogLevel.Error,
        Message = "Unhandled error in {Method} {Path}")]
    public static partial void UnhandledError(ILogger logger, Exception exception, string method, string path);
}
