using System.Collections.Concurrent;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Dapr;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Distributed.Tests.Infrastructure;

/// <summary>
/// A subscriber of <c>execution-results</c> in the embedded host: registered beside the host's own handlers, it gets
/// what the in-process outbox delivers, the way a Dapr subscription would.
/// </summary>
public sealed class ExecutionResultRecorder : IEventHandler<ExecutionResultEvent>
{
    private readonly ConcurrentQueue<ExecutionResultEvent> _received = new();

    /// <inheritdoc />
    public string Topic => DaprNames.ExecutionResultsTopic;

    /// <summary>What was delivered so far, oldest first.</summary>
    public IReadOnlyList<ExecutionResultEvent> Received => [.. _received];

    /// <inheritdoc />
    public Task HandleAsync(ExecutionResultEvent @event, CancellationToken cancellationToken)
    {
        // Everything is kept, a redelivery too: the suite asserts what a subscriber would see.
        _received.Enqueue(@event);
        return Task.CompletedTask;
    }
}
