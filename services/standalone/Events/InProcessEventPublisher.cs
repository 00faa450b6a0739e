using WasmWizard.Shared.Ports;

namespace WasmWizard.Standalone.Events;

/// <summary>
/// The embedded host's pub/sub: hands an event straight to every handler of its topic in this process, the same
/// handlers the Dapr subscriptions call in the distributed deployment.
/// </summary>
public sealed class InProcessEventPublisher(IServiceProvider services) : IEventPublisher
{
    /// <inheritdoc />
    public async Task PublishAsync<TEvent>(string topic, TEvent @event, CancellationToken cancellationToken)
        where TEvent : class
    {
        ArgumentNullException.ThrowIfNull(@event);
        foreach (var handler in services.GetServices<IEventHandler<TEvent>>().Where(h => h.Topic == topic))
        {
            await handler.HandleAsync(@event, cancellationToken);
        }
    }
}
