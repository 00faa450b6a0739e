using System.Text.Json;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Dapr;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Standalone.Events;

/// <summary>
/// The embedded host's pub/sub: every event is first written to the durable outbox, then handed at once to the
/// handlers of its topic in this process (the same handlers the Dapr subscriptions call when distributed). An event
/// a handler could not take stays in the outbox for <see cref="OutboxDrainer"/>, which also delivers what a crash
/// left behind; handlers are idempotent on the event id, so a second delivery costs nothing.
/// </summary>
/// <remarks>
/// <para>
/// An audit event whose trail lives in this same SQLite file skips the outbox (<see cref="SameFileAuditTrail"/>):
/// one append, committed with whatever else is queued. Every other event costs the request the durable outbox row,
/// then the handlers. All these writes go through the database file's single writer (<c>SqliteWriter</c>), so
/// under load the rows of many requests share one commit instead of queueing for the file's lock one by one. The
/// request waits for the handlers, so the trail holds its event when the response leaves; it does not wait for
/// the removal of the delivered row, which joins a later commit.
/// </para>
/// <para>
/// Nothing is lost or kept twice across a crash between these steps. Before the outbox row commits, the publish
/// has not happened (the caller gets an error, or, for an audit event, its retry queue holds it). After it commits
/// and before the removal commits, the row survives the crash and the drainer delivers it on the next start; the
/// audit store keeps one row per event id, so an event appended just before the crash is not appended again. The
/// row is claimed while its publisher delivers it, so the drainer never delivers it a second time alongside.
/// </para>
/// </remarks>
public sealed class OutboxEventPublisher(
    SqliteEventOutbox outbox,
    OutboxDispatcher dispatcher,
    OutboxDrainer drainer,
    SameFileAuditTrail trail,
    ILogger<OutboxEventPublisher> logger)
    : IEventPublisher
{
    /// <inheritdoc />
    public async Task PublishAsync<TEvent>(string topic, TEvent @event, CancellationToken cancellationToken)
        where TEvent : class
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(@event);
        // Only while nothing waits in the outbox: an event written straight into the trail must not overtake one
        // that happened before it.
        if (@event is AuditEvent audit && topic == DaprNames.AuditTopic && trail.Applies && drainer.IsHealthy)
        {
            try
            {
                await trail.AppendAsync(audit, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Nothing was committed: the event takes the outbox's way, which keeps it until a handler takes it.
                Log.DirectAuditAppendFailed(logger, e, audit.Id);
            }
        }

        var payload = JsonSerializer.Serialize(@event, OutboxDispatcher.Json);

        // While handlers fail, every event waits for the drainer instead: a request must not wait out a store's
        // timeout once per event.
        var inline = drainer.IsHealthy;
        var seq = await outbox.EnqueueAsync(topic, payload, claim: inline, cancellationToken).ConfigureAwait(false);
        if (!inline)
        {
            drainer.Wake();
            return;
        }

        var entry = new OutboxEntry(seq, topic, payload, 0);
        try
        {
            await dispatcher.DispatchAsync(entry, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            outbox.Release(seq);
            if (e is OperationCanceledException)
            {
                // The caller gave up: the entry stays and the drainer delivers it.
                throw;
            }

            drainer.ReportFailure(entry, e);
            return;
        }

        _ = ForgetAsync(seq);
    }

    private async Task ForgetAsync(long seq)
    {
        // Off the request's path: with the writer free the removal would otherwise commit on this thread first.
        await Task.Yield();
        try
        {
            await outbox.ForgetAsync(seq, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Delivered but still in the outbox: the drainer delivers it once more, which its handlers ignore.
            Log.OutboxRemovalFailed(logger, e, seq);
        }
    }
}
