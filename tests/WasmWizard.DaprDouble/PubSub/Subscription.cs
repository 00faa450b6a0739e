namespace WasmWizard.DaprDouble.PubSub;

/// <summary>One entry of an app's <c>GET /dapr/subscribe</c> answer, as the double understood it.</summary>
/// <param name="PubSubName">The pub/sub component.</param>
/// <param name="Topic">The topic.</param>
/// <param name="Route">The app path events are POSTed to, with a leading slash.</param>
/// <param name="DeadLetterTopic">Where dropped and undeliverable events go, or null.</param>
public sealed record Subscription(string PubSubName, string Topic, string Route, string? DeadLetterTopic);
