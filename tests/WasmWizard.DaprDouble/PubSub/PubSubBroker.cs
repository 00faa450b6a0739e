using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;

namespace WasmWizard.DaprDouble.PubSub;

/// <summary>
/// The message broker behind every pub/sub component of a network: records each published CloudEvent and
/// delivers it, in the background, to every app whose sidecar loaded a matching subscription, retrying and
/// dead-lettering as daprd does. Each app id is one consumer group (pubsub.redis's default <c>consumerID</c>), so
/// of several replicas of an app only one gets a given event, the replicas taking turns.
/// </summary>
internal sealed class PubSubBroker(SidecarNetwork network, DeliveryRetryPolicy retry, TimeProvider time)
    : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly EventLog<PublishedEvent> _published = new();
    private readonly EventLog<Delivery> _deliveries = new();
    private readonly InFlightTracker _inFlight = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<(string AppId, string PubSub, string Topic), RoundRobin> _turns = new();
    private long _publishSequence;
    private long _deliverySequence;

    public EventLog<PublishedEvent> Published => _published;

    public EventLog<Delivery> Deliveries => _deliveries;

    public InFlightTracker InFlight => _inFlight;

    /// <exception cref="ArgumentException">The data claims to be a CloudEvent but is not one.</exception>
    public PublishedEvent Publish(PublishInput input)
    {
        var cloudEvent = CloudEventFactory.Create(input, time.GetUtcNow());
        return Enqueue(input.PublisherAppId, input.PubSubName, input.Topic, cloudEvent.ToJsonString());
    }

    public string Describe(string topic)
    {
        var text = new StringBuilder();
        text.Append("Published on ").Append(topic).Append(": ");
        text.AppendJoin(", ", _published.Snapshot().Where(e => e.Topic == topic).Select(e => $"#{e.Sequence} {e.Id}"));
        text.Append(". Deliveries: ");
        text.AppendJoin("; ", _deliveries.Snapshot().Where(d => d.Topic == topic));
        text.Append(". In flight: ").Append(_inFlight.Count).Append(". Subscriptions: ");
        text.AppendJoin("; ", network.Sidecars.Select(s =>
            $"{s.Name} [{string.Join(", ", s.Subscriptions.Select(x => $"{x.PubSubName}/{x.Topic}->{x.Route}"))}]"));
        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        try
        {
            await _inFlight.WhenIdle().WaitAsync(StopTimeout);
        }
        catch (TimeoutException)
        {
            // An app that ignores cancellation must not hang the test run's teardown.
        }

        _stopping.Dispose();
    }

    private PublishedEvent Enqueue(string publisherAppId, string pubsub, string topic, string json)
    {
        var published = new PublishedEvent(
            Interlocked.Increment(ref _publishSequence), pubsub, topic, publisherAppId, json);
        _published.Add(published);
        foreach (var app in network.Sidecars.GroupBy(s => s.AppId, StringComparer.Ordinal))
        {
            if (PickReplica(app.Key, app, pubsub, topic) is { } target)
            {
                Start(target.Sidecar, target.Subscription, published);
            }
        }

        return published;
    }

    /// <summary>
    /// The replica of <paramref name="appId"/> whose turn it is to take the next event of the topic, among those
    /// with a connected app and a matching subscription; null when there is none.
    /// </summary>
    private (SidecarDouble Sidecar, Subscription Subscription)? PickReplica(
        string appId, IEnumerable<SidecarDouble> replicas, string pubsub, string topic)
    {
        var candidates = new List<(SidecarDouble Sidecar, Subscription Subscription)>();
        foreach (var replica in replicas)
        {
            var subscription = replica.Subscriptions.FirstOrDefault(s => s.PubSubName == pubsub && s.Topic == topic);
            if (subscription is not null && replica.App is not null && !replica.IsStopped)
            {
                candidates.Add((replica, subscription));
            }
        }

        return candidates.Count switch
        {
            0 => null,
            1 => candidates[0],
            _ => candidates[_turns.GetOrAdd((appId, pubsub, topic), _ => new RoundRobin()).Next(candidates.Count)],
        };
    }

    private void Start(SidecarDouble subscriber, Subscription subscription, PublishedEvent published)
    {
        // Counted before the publisher gets its answer, so a test that waits for idleness after publishing
        // cannot miss this delivery.
        _inFlight.Enter();
        _ = Task.Run(async () =>
        {
            try
            {
                await DeliverAsync(subscriber, subscription, published, _stopping.Token);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                // The network is being disposed.
            }
            finally
            {
                _inFlight.Exit();
            }
        });
    }

    private async Task DeliverAsync(
        SidecarDouble subscriber, Subscription subscription, PublishedEvent published, CancellationToken stopping)
    {
        var attempts = new List<DeliveryAttempt>();
        DeliveryOutcome outcome;
        while (true)
        {
            if (subscriber.IsStopped
                && PickReplica(subscriber.AppId, network.FindReplicas(subscriber.AppId), published.PubSubName,
                    published.Topic) is { } other)
            {
                // A consumer that left the group hands its pending event to another one, as a stream consumer
                // group's redelivery would; with no other replica left, the attempts fail where they are.
                (subscriber, subscription) = other;
            }

            var attempt = await AttemptAsync(subscriber, subscription, published, attempts.Count + 1, stopping)
                with { Replica = subscriber.ReplicaIndex };
            attempts.Add(attempt);
            if (attempt.Verdict == DeliveryVerdict.Success)
            {
                outcome = DeliveryOutcome.Succeeded;
                break;
            }

            if (attempt.Verdict == DeliveryVerdict.Drop)
            {
                outcome = DeliveryOutcome.Dropped;
                break;
            }

            if (attempts.Count > retry.MaxRetries)
            {
                outcome = DeliveryOutcome.RetriesExhausted;
                break;
            }

            await Task.Delay(retry.Interval, time, stopping);
        }

        string? deadLetterTopic = null;
        if (outcome != DeliveryOutcome.Succeeded && subscription.DeadLetterTopic is { } target)
        {
            // The subscriber's sidecar republishes the original CloudEvent unchanged (same id, original topic
            // attribute) straight to the component. Done before the delivery is recorded, so a test that waited for
            // this delivery already sees the dead letter.
            Enqueue(subscriber.AppId, subscription.PubSubName, target, published.Json);
            deadLetterTopic = target;
        }

        _deliveries.Add(new Delivery(
            Interlocked.Increment(ref _deliverySequence),
            subscriber.AppId,
            subscription,
            published,
            attempts,
            outcome,
            deadLetterTopic)
        {
            SubscriberReplica = subscriber.ReplicaIndex,
        });
    }

    private static async Task<DeliveryAttempt> AttemptAsync(
        SidecarDouble subscriber,
        Subscription subscription,
        PublishedEvent published,
        int number,
        CancellationToken stopping)
    {
        if (subscriber.App is not { } app)
        {
            var error = $"no app is connected to the sidecar of {subscriber.AppId}";
            return new DeliveryAttempt(number, null, null, error, DeliveryVerdict.Retry);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Route)
        {
            Content = new ByteArrayContent(published.Utf8()),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(CloudEventFactory.ContentType);
        // As daprd does, the event's trace context travels as W3C headers, so the subscriber's request continues it.
        foreach (var header in (ReadOnlySpan<string>)["traceparent", "tracestate"])
        {
            if (published.CloudEvent.TryGetProperty(header, out var context) && context.GetString() is { Length: > 0 } value)
            {
                request.Headers.TryAddWithoutValidation(header, value);
            }
        }

        try
        {
            using var response = await app.SendAsync(request, subscriber.AppToken, stopping);
            var body = await response.Content.ReadAsStringAsync(stopping);
            var verdict = AppResponseInterpreter.Interpret(response.StatusCode, body, out var appStatus);
            return new DeliveryAttempt(number, (int)response.StatusCode, appStatus, null, verdict);
        }
        catch (Exception e) when (!stopping.IsCancellationRequested)
        {
            // A network error, or an exception a test server passes through: daprd retries both.
            return new DeliveryAttempt(number, null, null, e.Message, DeliveryVerdict.Retry);
        }
    }
}
