namespace WasmWizard.DaprDouble.PubSub;

/// <summary>A publish request as a sidecar received it, whatever the transport.</summary>
/// <param name="PublisherAppId">The app whose sidecar was asked.</param>
/// <param name="PubSubName">The pub/sub component.</param>
/// <param name="Topic">The topic.</param>
/// <param name="Data">The payload.</param>
/// <param name="DataContentType">Its content type, or empty.</param>
/// <param name="Metadata">Request metadata (<c>cloudevent.*</c> overrides and the like).</param>
/// <param name="TraceParent">The caller's W3C <c>traceparent</c>, if it sent one.</param>
/// <param name="TraceState">The caller's W3C <c>tracestate</c>, if it sent one.</param>
internal sealed record PublishInput(
    string PublisherAppId,
    string PubSubName,
    string Topic,
    byte[] Data,
    string DataContentType,
    IReadOnlyDictionary<string, string> Metadata,
    string? TraceParent,
    string? TraceState);
