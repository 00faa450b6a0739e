using Microsoft.Extensions.Logging;

namespace WasmWizard.Standalone;

/// <summary>Log events of the embedded host's own parts (event ids 5000–5999). Events are named by topic and id only.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning,
        Message = "An event for {Topic} (outbox entry {Seq}, attempt {Attempt}) was not handled; it stays in the outbox")]
    public static partial void OutboxDeliveryFailed(ILogger logger, Exception exception, string topic, long seq, int attempt);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information,
        Message = "Every event waiting in the outbox was handled; events are delivered at once again")]
    public static partial void OutboxRecovered(ILogger logger);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning,
        Message = "Outbox entry {Seq} was delivered but could not be removed; it will be delivered once more")]
    public static partial void OutboxRemovalFailed(ILogger logger, Exception exception, long seq);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning,
        Message = "Audit event {AuditEventId} could not be written straight into the trail; it goes through the outbox")]
    public static partial void DirectAuditAppendFailed(ILogger logger, Exception exception, Guid auditEventId);

    [LoggerMessage(EventId = 5101, Level = LogLevel.Warning,
        Message = "Execution {ExecutionId} was running when the service last stopped; it is completed as interrupted")]
    public static partial void ExecutionInterrupted(ILogger logger, Guid executionId);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning,
        Message = "The execution queue has no workers (ExecutionQueue:Workers = 0); queued executions wait")]
    public static partial void ExecutionQueueHeld(ILogger logger);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Error, Message = "The execution queue failed; it tries again")]
    public static partial void ExecutionQueueFailed(ILogger logger, Exception exception);
}
