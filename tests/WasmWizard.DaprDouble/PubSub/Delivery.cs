namespace WasmWizard.DaprDouble.PubSub;

/// <summary>
/// The finished delivery of one published event to one subscribing app: to one of its replicas when it runs several.
/// </summary>
/// <param name="Sequence">Order of completion within the network, from 1.</param>
/// <param name="SubscriberAppId">The app that was delivered to.</param>
/// <param name="Subscription">The subscription that matched.</param>
/// <param name="Event">The event delivered.</param>
/// <param name="Attempts">Every attempt, in order.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="DeadLetterTopic">The topic the event was then published to, when it was dead-lettered.</param>
public sealed record Delivery(
    long Sequence,
    string SubscriberAppId,
    Subscription Subscription,
    PublishedEvent Event,
    IReadOnlyList<DeliveryAttempt> Attempts,
    DeliveryOutcome Outcome,
    string? DeadLetterTopic)
{
    /// <summary>
    /// The <see cref="SidecarDouble.ReplicaIndex"/> of the replica that made the last attempt (0 unless the app runs
    /// several). Attempts stay with one replica unless it is disposed meanwhile.
    /// </summary>
    public int SubscriberReplica { get; init; }

    /// <summary>The topic the event was delivered from.</summary>
    public string Topic => Event.Topic;

    /// <inheritdoc />
    public override string ToString() =>
        $"#{Sequence} {Topic} -> {Subscriber}{Subscription.Route}: {Outcome} after {Attempts.Count} attempt(s)"
        + (DeadLetterTopic is null ? "" : $", dead-lettered to {DeadLetterTopic}");

    // Named as SidecarDouble.Name names the replica, so single-replica apps read as before.
    private string Subscriber => SubscriberReplica == 0 ? SubscriberAppId : $"{SubscriberAppId}#{SubscriberReplica}";
}
