using System.Text.Json;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Standalone.Events;

/// <summary>Hands an outbox entry to the in-process handlers of its topic.</summary>
public sealed class OutboxDispatcher(IServiceProvider services, IEnumerable<IOutboxRoute> routes)
{
    /// <summary>How events are written into the outbox and read back: as Dapr would carry them.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web);

    /// <summary>Delivers <paramref name="entry"/>; throws when a handler fails, so the entry stays.</summary>
    public async Task DispatchAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);

        // A topic nobody here subscribes to is dropped, as a broker drops a publish without subscribers.
        foreach (var route in routes.Where(r => r.Topic == entry.Topic))
        {
            await route.DispatchAsync(services, entry.Payload, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>Which event type a topic carries, so its payload can be read back for that type's handlers.</summary>
public interface IOutboxRoute
{
    /// <summary>The topic.</summary>
    string Topic { get; }

    /// <summary>Reads <paramref name="payload"/> and hands it to each handler of the topic.</summary>
    Task DispatchAsync(IServiceProvider services, string payload, CancellationToken cancellationToken);
}

/// <summary>The topic <see cref="Topic"/> carries <typeparamref name="TEvent"/>.</summary>
public sealed class OutboxRoute<TEvent>(string topic) : IOutboxRoute
    where TEvent : class
{
    /// <inheritdoc />
    public string Topic { get; } = topic;

    /// <inheritdoc />
    public async Task DispatchAsync(IServiceProvider services, string payload, CancellationToken cancellationToken)
    {
        var @event = JsonSerializer.Deserialize<TEvent>(payload, OutboxDispatcher.Json)
            ?? throw new InvalidOperationException($"An outbox entry for {Topic} holds no event.");
        foreach (var handler in services.GetServices<IEventHandler<TEvent>>().Where(h => h.Topic == Topic))
        {
            await handler.HandleAsync(@event, cancellationToken).ConfigureAwait(false);
        }
    }
}
