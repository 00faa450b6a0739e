namespace WasmWizard.Shared.Ports;

/// <summary>Handles the events of one topic; must be idempotent on the event's id.</summary>
public interface IEventHandler<in TEvent>
    where TEvent : class
{
    /// <summary>The topic this handler consumes.</summary>
    string Topic { get; }

    /// <summary>Handles one event.</summary>
    Task HandleAsync(TEvent @event, CancellationToken cancellationToken);
}
