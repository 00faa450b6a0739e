using System.Text.Json;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Standalone.Events;

/// <summary>
/// The embedded host's pub/sub: every event is first written to the durable outbox, then handed at once to the
/// handlers of its topic in this process (the same handlers the Dapr subscriptions call when distributed). An event
/// a handler could not take stays in the outbox for <see cref="OutboxDrainer"/>, which also delivers what a crash
/// left behind; handlers are idempotent on the event id, so a second delivery costs nothing.
/// </summary>
public sealed class OutboxEventPublisher(SqliteEventOutbox outbox, OutboxDispatcher dispatcher, OutboxDrainer drainer)
    : IEventPublisher
{
    /// <inheritdoc />
    public async Task PublishAsync<TEvent>(string topic, TEvent @event, CancellationToken cancellationToken)
        where TEvent : class
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(@event);
        var payload = JsonSerializer.Serialize(@event, OutboxDispatcher.Json);
        var seq = await outbox.EnqueueAsync(topic, payload, cancellationToken).ConfigureAwait(false);

        // While handlers fail, every event waits for the drainer instead: a request must not wait out a store's
        // timeout once per event.
        if (!drainer.IsHealthy)
        {
            drainer.Wake();
            return;
        }

        try
        {
            await dispatcher.DispatchAsync(new OutboxEntry(seq, topic, payload, 0), cancellationToken).ConfigureAwait(false);
            await outbox.RemoveAsync(seq, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            drainer.ReportFailure(new OutboxEntry(seq, topic, payload, 0), e);
        }
    }
}
