using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace WasmWizard.DaprDouble.PubSub;

/// <summary>Wraps published data in a CloudEvent the way daprd's envelope code does.</summary>
internal static class CloudEventFactory
{
    /// <summary>Content type of a CloudEvent in structured JSON mode, for publishing and for delivery.</summary>
    public const string ContentType = "application/cloudevents+json";

    /// <summary>The <c>type</c> of events daprd wraps.</summary>
    public const string EventType = "com.dapr.event.sent";

    private const string MetadataPrefix = "cloudevent.";

    /// <exception cref="ArgumentException">The data claims to be a CloudEvent but is not a JSON object.</exception>
    public static JsonObject Create(PublishInput input, DateTimeOffset now)
    {
        var traceParent = Override(input, "traceparent") ?? input.TraceParent;
        var traceState = Override(input, "tracestate") ?? input.TraceState;
        var contentType = input.DataContentType;
        var cloudEvent = IsCloudEvent(contentType)
            ? FromCloudEvent(input, now)
            : Wrap(input, string.IsNullOrEmpty(contentType) ? "text/plain" : contentType, now);

        cloudEvent["topic"] = input.Topic;
        cloudEvent["pubsubname"] = input.PubSubName;
        if (!string.IsNullOrEmpty(traceParent))
        {
            // daprd still writes the older traceid beside traceparent.
            cloudEvent["traceid"] = traceParent;
            cloudEvent["traceparent"] = traceParent;
            cloudEvent["tracestate"] = traceState ?? "";
        }

        return cloudEvent;
    }

    private static JsonObject Wrap(PublishInput input, string contentType, DateTimeOffset now)
    {
        var cloudEvent = new JsonObject
        {
            ["id"] = Override(input, "id") ?? Guid.NewGuid().ToString(),
            ["specversion"] = "1.0",
            ["datacontenttype"] = contentType,
            ["source"] = Override(input, "source") ?? input.PublisherAppId,
            ["type"] = Override(input, "type") ?? EventType,
            ["time"] = Rfc3339(now),
        };

        if (IsJson(contentType))
        {
            cloudEvent["data"] = ParseOrString(input.Data);
        }
        else if (MediaType(contentType).StartsWith("application/octet-stream", StringComparison.Ordinal))
        {
            cloudEvent["data_base64"] = Convert.ToBase64String(input.Data);
        }
        else
        {
            cloudEvent["data"] = Encoding.UTF8.GetString(input.Data);
        }

        return cloudEvent;
    }

    private static JsonObject FromCloudEvent(PublishInput input, DateTimeOffset now)
    {
        JsonObject? given;
        try
        {
            given = JsonNode.Parse(input.Data) as JsonObject;
        }
        catch (JsonException)
        {
            given = null;
        }

        if (given is null)
        {
            throw new ArgumentException("cannot parse the published data as a CloudEvent (a JSON object)");
        }

        // daprd keeps the publisher's attributes and fills in only what is missing.
        given["time"] ??= Rfc3339(now);
        given["source"] ??= "Dapr";
        given["type"] ??= EventType;
        given["specversion"] ??= "1.0";
        return given;
    }

    private static JsonNode? ParseOrString(byte[] data)
    {
        try
        {
            return JsonNode.Parse(data);
        }
        catch (JsonException)
        {
            // daprd sends data that claims to be JSON but is not as a string.
            return JsonValue.Create(Encoding.UTF8.GetString(data));
        }
    }

    private static string? Override(PublishInput input, string attribute) =>
        input.Metadata.TryGetValue(MetadataPrefix + attribute, out var value) && value.Length > 0 ? value : null;

    private static bool IsCloudEvent(string contentType) =>
        MediaType(contentType).Equals(ContentType, StringComparison.Ordinal);

    private static bool IsJson(string contentType)
    {
        var media = MediaType(contentType);
        return media == "application/json" || media.EndsWith("+json", StringComparison.Ordinal);
    }

    private static string MediaType(string contentType) =>
        contentType.Split(';', 2)[0].Trim().ToLowerInvariant();

    private static string Rfc3339(DateTimeOffset now) =>
        now.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
