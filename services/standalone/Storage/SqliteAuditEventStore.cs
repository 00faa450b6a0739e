using System.Text.Json;
using Microsoft.Data.Sqlite;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Dapr;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Standalone.Storage;

/// <summary>
/// Keeps audit events durably in the embedded database, once each (the event id is the key), until the audit
/// service gives them their own home.
/// </summary>
public sealed class SqliteAuditEventStore(SqliteDatabase database) : IEventHandler<AuditEvent>
{
    /// <inheritdoc />
    public string Topic => DaprNames.AuditTopic;

    /// <inheritdoc />
    public async Task HandleAsync(AuditEvent @event, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(@event);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var insert = connection.CreateCommand();
        insert.CommandText = """
            INSERT INTO audit_events (id, type, occurred_at, actor_user_id, actor_key_id, actor_key_prefix,
                subject_user_id, subject_key_id, client_address, request_id, details)
            VALUES ($id, $type, $at, $actor, $key, $prefix, $subject, $subjectKey, $address, $request, $details)
            ON CONFLICT (id) DO NOTHING
            """;
        insert.With("$id", @event.Id.ToString()).With("$type", @event.Type).With("$at", SqliteValues.Text(@event.OccurredAt))
            .With("$actor", @event.ActorUserId?.ToString()).With("$key", @event.ActorKeyId?.ToString())
            .With("$prefix", @event.ActorKeyPrefix).With("$subject", @event.SubjectUserId?.ToString())
            .With("$subjectKey", @event.SubjectKeyId?.ToString()).With("$address", @event.ClientAddress)
            .With("$request", @event.RequestId).With("$details", JsonSerializer.Serialize(@event.Details));
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The newest events, newest first.</summary>
    public async Task<IReadOnlyList<AuditEvent>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var query = connection.CreateCommand();
        query.CommandText = """
            SELECT id, type, occurred_at, actor_user_id, actor_key_id, actor_key_prefix, subject_user_id, subject_key_id,
                client_address, request_id, details
            FROM audit_events ORDER BY occurred_at DESC, id DESC LIMIT $limit
            """;
        query.With("$limit", limit);
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        var events = new List<AuditEvent>();
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(new AuditEvent(
                SqliteValues.Id(reader, 0),
                reader.GetString(1),
                SqliteValues.Time(reader, 2),
                OptionalId(reader, 3),
                OptionalId(reader, 4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                OptionalId(reader, 6),
                OptionalId(reader, 7),
                reader.IsDBNull(8) ? null : reader.GetString(8),
                reader.IsDBNull(9) ? null : reader.GetString(9),
                JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(10)) ?? []));
        }

        return events;
    }

    private static Guid? OptionalId(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : SqliteValues.Id(reader, ordinal);
}
