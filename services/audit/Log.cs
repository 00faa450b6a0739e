using Microsoft.Extensions.Logging;

namespace WasmWizard.Audit;

/// <summary>Every log event of the audit service (event ids 3000–3999). Events are named by id and type only.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "Audit event {EventId} ({Type}) was already kept")]
    public static partial void DuplicateDelivery(ILogger logger, Guid eventId, string type);
}
