namespace WasmWizard.Shared.Ports;

/// <summary>
/// Publishes events to a topic: Dapr pub/sub when distributed, an in-process dispatch to the same handlers when
/// embedded. Delivery is at least once, so handlers deduplicate on the event's id.
/// </summary>
public interface IEventPublisher
{
    /// <summary>Publishes <paramref name="event"/> to <paramref name="topic"/>.</summary>
    Task PublishAsync<TEvent>(string topic, TEvent @event, CancellationToken cancellationToken)
        where TEvent : class;
}
