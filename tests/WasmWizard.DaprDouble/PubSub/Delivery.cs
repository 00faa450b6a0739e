namespace WasmWizard.DaprDouble.PubSub;

/// <summary>The finished delivery of one published event to one subscribing app.</summary>
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
    /// <summary>The topic the event was delivered from.</summary>
    public string Topic => Event.Topic;

    /// <inheritdoc />
    public override string ToString() =>
        $"#{Sequence} {Topic} -> {SubscriberAppId}{Subscription.Route}: {Outcome} after {Attempts.Count} attempt(s)"
        + (DeadLetterTopic is null ? "" : $", dead-lettered to {DeadLetterTopic}");
}
