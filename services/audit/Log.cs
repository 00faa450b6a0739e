using Microsoft.Extensions.Logging;

namespace WasmWizard.Audit;

/// <summary>Every log event of the audit service (event ids 3000–3999). Events are named by id and type only.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug,
        Message = "Audit event {AuditEventId} ({Type}) was already kept")]
    public static partial void DuplicateDelivery(ILogger logger, Guid auditEventId, string type);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information,
        Message = "Audit retention removed {Removed} event(s) older than {Days} days")]
    public static partial void RetentionRemoved(ILogger logger, int removed, int days);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Audit retention failed; it runs again in an hour")]
    public static partial void RetentionFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning,
        Message = "Audit chain verification found {Breaks} break(s) in {Chains} chain(s) checked")]
    public static partial void ChainBroken(ILogger logger, int breaks, int chains);
}
