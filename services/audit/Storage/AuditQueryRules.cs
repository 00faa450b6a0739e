using WasmWizard.Shared.Ports;

namespace WasmWizard.Audit.Storage;

/// <summary>What both stores check about a query before running it, and how they read its time bounds.</summary>
internal static class AuditQueryRules
{
    /// <summary>Refuses a query no store answers.</summary>
    public static void Validate(AuditQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1, nameof(query));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.Limit, AuditQuery.MaxLimit, nameof(query));
    }

    /// <summary>The first stored microsecond the query includes, when it has a lower bound.</summary>
    public static long? FromMicroseconds(AuditQuery query) =>
        query.From is { } from ? AuditChain.CeilingMicroseconds(from) : null;

    /// <summary>The first stored microsecond the query excludes, when it has an upper bound.</summary>
    public static long? ToMicroseconds(AuditQuery query) =>
        query.To is { } to ? AuditChain.CeilingMicroseconds(to) : null;
}
