using Microsoft.Extensions.Logging;

namespace WasmWizard.Shared;

/// <summary>
/// Every log event of the shared library. Messages name partitions (key or tenant ids) and outcomes, never a
/// credential.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = SharedEventIds.RateLimitActorTimedOut, Level = LogLevel.Warning,
        Message = "Rate limit actor for {Partition} gave no answer within {TimeoutMs} ms; "
            + "the request goes through unchecked")]
    public static partial void RateLimitActorTimedOut(ILogger logger, string partition, double timeoutMs);

    [LoggerMessage(EventId = SharedEventIds.RateLimitActorFailed, Level = LogLevel.Warning,
        Message = "Rate limit actor for {Partition} failed; the request goes through unchecked")]
    public static partial void RateLimitActorFailed(ILogger logger, Exception exception, string partition);

    [LoggerMessage(EventId = SharedEventIds.WaitingForSidecar, Level = LogLevel.Information,
        Message = "Waiting up to {Seconds} s for the Dapr sidecar")]
    public static partial void WaitingForSidecar(ILogger logger, double seconds);

    [LoggerMessage(EventId = SharedEventIds.SidecarReady, Level = LogLevel.Information, Message = "The Dapr sidecar is ready")]
    public static partial void SidecarReady(ILogger logger);

    [LoggerMessage(EventId = SharedEventIds.SidecarTokenMissing, Level = LogLevel.Warning,
        Message = "{Setting} is not set: {Consequence}. Set it for every sidecar and app outside a test bench")]
    public static partial void SidecarTokenMissing(ILogger logger, string setting, string consequence);

    [LoggerMessage(EventId = SharedEventIds.ExecutorRequestTooLargeForSidecar, Level = LogLevel.Warning,
        Message = "A Dapr sidecar refused a {Bytes}-byte request to the executor as too large; give the api's and "
            + "the executor's sidecars a maxBodySize of at least {Recommended}")]
    public static partial void ExecutorRequestTooLargeForSidecar(ILogger logger, long bytes, string recommended);
}
