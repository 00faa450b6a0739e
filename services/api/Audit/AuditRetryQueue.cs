using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Dapr;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Api.Audit;

/// <summary>
/// Audit events the api could not publish (the broker or its sidecar was down), published again in the background with a
/// growing pause until they go through. The request they describe has already been answered. Held in memory: a
/// restart of the api while the broker is down loses what waits here, and so does a backlog past
/// <see cref="Capacity"/> (each loss is logged as an error naming the event).
/// </summary>
/// <remarks>
/// TODO: the distributed api has no local disk of its own to keep an outbox on; a durable one would need the state
/// store (down as often as the broker) or a volume per replica.
/// </remarks>
public sealed class AuditRetryQueue(IEventPublisher publisher, TimeProvider time, ILogger<AuditRetryQueue> logger)
    : BackgroundService
{
    /// <summary>How many events may wait.</summary>
    public const int Capacity = 10_000;

    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    private readonly Channel<AuditEvent> _waiting = Channel.CreateBounded<AuditEvent>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });

    /// <summary>Keeps <paramref name="event"/> to publish again; false (and an error logged) when the queue is full.</summary>
    public bool TryEnqueue(AuditEvent @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        if (_waiting.Writer.TryWrite(@event))
        {
            return true;
        }

        Log.AuditEventLost(logger, @event.Type, @event.Id);
        return false;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = FirstDelay;
        await foreach (var @event in _waiting.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            // One event at a time, in order, until it goes through: the broker is down for all of them alike.
            while (true)
            {
                try
                {
                    await publisher.PublishAsync(DaprNames.AuditTopic, @event, stoppingToken).ConfigureAwait(false);
                    delay = FirstDelay;
                    break;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Log.AuditNotPublished(logger, e, @event.Type, @event.Id);
                    await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
                    delay = TimeSpan.FromTicks(Math.Min(MaxDelay.Ticks, delay.Ticks * 2));
                }
            }
        }
    }
}
