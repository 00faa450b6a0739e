using System.Data.Common;
using System.Text.Json;
using WasmWizard.Shared.Contracts.Events;

namespace WasmWizard.Audit.Storage;

/// <summary>
/// Reads an event from a row of either store. Both select the same event columns in the same order; they differ only
/// in how an id and a time are stored, which the caller reads.
/// </summary>
internal static class AuditRows
{
    /// <summary>The event in the current row, given its id, its time and how the store reads an optional id.</summary>
    public static AuditEvent Read(DbDataReader reader, Guid id, DateTimeOffset occurredAt, Func<int, Guid?> optionalGuid) =>
        new(
            id,
            reader.GetString(2),
            occurredAt,
            optionalGuid(4),
            optionalGuid(5),
            OptionalString(reader, 6),
            optionalGuid(7),
            optionalGuid(8),
            OptionalString(reader, 9),
            OptionalString(reader, 10),
            JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(11)) ?? [])
        {
            TenantId = optionalGuid(12),
            Actor = OptionalString(reader, 13),
            Subject = OptionalString(reader, 14),
            Source = OptionalString(reader, 15)!,
            TraceId = OptionalString(reader, 16),
        };

    /// <summary>A text column that may be null.</summary>
    public static string? OptionalString(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
