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
}
