using System.Text;
using System.Text.Json;

namespace WasmWizard.DaprDouble.PubSub;

/// <summary>A CloudEvent as a sidecar double put it on a topic, before any delivery.</summary>
/// <param name="Sequence">Order of publication within the network, from 1.</param>
/// <param name="PubSubName">The pub/sub component.</param>
/// <param name="Topic">The topic it went to (for a dead letter, the dead-letter topic).</param>
/// <param name="PublisherAppId">The app whose sidecar published it.</param>
/// <param name="Json">The CloudEvent exactly as subscribers receive it.</param>
public sealed record PublishedEvent(long Sequence, string PubSubName, string Topic, string PublisherAppId, string Json)
{
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    /// <summary>The CloudEvent, parsed.</summary>
    public JsonElement CloudEvent { get; } = Parse(Json);

    /// <summary>The CloudEvent's <c>id</c>.</summary>
    public string Id => CloudEvent.TryGetProperty("id", out var id) ? id.GetString() ?? "" : "";

    /// <summary>
    /// The CloudEvent's <c>data</c> read as <typeparamref name="T"/> (web JSON defaults, as the SDK writes), or
    /// default when there is none.
    /// </summary>
    public T? DataAs<T>(JsonSerializerOptions? options = null) =>
        CloudEvent.TryGetProperty("data", out var data) ? data.Deserialize<T>(options ?? WebJson) : default;

    internal byte[] Utf8() => Encoding.UTF8.GetBytes(Json);

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
