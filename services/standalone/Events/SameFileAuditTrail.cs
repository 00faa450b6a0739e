using WasmWizard.Audit;
using WasmWizard.Audit.Storage;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Ports;
using WasmWizard.Standalone.Storage;

namespace WasmWizard.Standalone.Events;

/// <summary>
/// The audit trail when it lives in the embedded host's own SQLite file (no PostgreSQL configured) and the trail's
/// recorder is the audit topic's only handler: an event then goes straight into the trail, in a commit of the
/// file's single writer, with no outbox row to write and remove.
/// </summary>
/// <remarks>
/// The outbox exists to bridge the gap between an event's publication and its handler's durable write. With the
/// trail in the same file, the append <em>is</em> the durable write, so there is no gap: once the commit is on disk
/// the event is in the trail, and a crash before it means the event was never published. The request's history row,
/// queued at the same moment, usually shares the commit. Anything else (a trail in PostgreSQL, a replaced store,
/// extra handlers, events already waiting in the outbox, which must stay ahead) goes through the outbox as before.
/// </remarks>
public sealed class SameFileAuditTrail
{
    private readonly SqliteDatabase _database;
    private readonly SqliteAuditEventStore? _store;
    private readonly AuditMetrics _metrics;
    private readonly TimeProvider _time;

    /// <summary>Applies only when <paramref name="store"/> keeps the trail in the database file.</summary>
    public SameFileAuditTrail(
        SqliteDatabase database,
        IAuditEventStore store,
        IEnumerable<IEventHandler<AuditEvent>> handlers,
        AuditMetrics metrics,
        TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _metrics = metrics;
        _time = time;
        if (store is SqliteAuditEventStore sqlite
            && string.Equals(sqlite.Path, database.Path, StringComparison.Ordinal)
            && handlers.ToList() is [AuditEventRecorder])
        {
            _store = sqlite;
        }
    }

    /// <summary>Whether events can go straight into the trail.</summary>
    public bool Applies => _store is not null;

    /// <summary>Appends <paramref name="event"/> (once per event id) and returns once it is durable.</summary>
    public async Task AppendAsync(AuditEvent @event, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(@event);
        var store = _store ?? throw new InvalidOperationException("The audit trail is not in the embedded database.");
        var added = await _database.WriteAsync(
            (connection, transaction) => store.AppendWithin(connection, transaction, @event), cancellationToken)
            .ConfigureAwait(false);
        if (added)
        {
            // What the recorder does after its own append, so the written-events metrics do not depend on the path.
            _metrics.Written(@event, _time.GetUtcNow());
        }
    }
}
