using System.Text.Json;

namespace WasmWizard.DaprDouble.PubSub;

/// <summary>Reads an app's <c>GET /dapr/subscribe</c> answer as daprd does (field names in any case).</summary>
internal static class SubscriptionParser
{
    /// <exception cref="JsonException">The answer is not JSON.</exception>
    /// <exception cref="FormatException">The answer is JSON but not an array.</exception>
    public static IReadOnlyList<Subscription> Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"/dapr/subscribe did not answer a JSON array: {json}");
        }

        var result = new List<Subscription>();
        foreach (var entry in document.RootElement.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            var pubsub = Text(entry, "pubsubname");
            var topic = Text(entry, "topic");
            var route = Text(entry, "route") ?? DefaultRoute(entry);

            // daprd drops entries it cannot route, and uses one route per app, component and topic.
            if (pubsub is null || topic is null || route is null
                || result.Exists(s => s.PubSubName == pubsub && s.Topic == topic))
            {
                continue;
            }

            var path = route.StartsWith('/') ? route : "/" + route;
            result.Add(new Subscription(pubsub, topic, path, Text(entry, "deadlettertopic")));
        }

        return result;
    }

    // TODO: routing rules (CEL "match" expressions) are not evaluated; only the default route, or a rule without a
    // match, is used. Evaluate the simple `event.type == "..."` form if a service starts using rules.
    private static string? DefaultRoute(JsonElement entry)
    {
        if (Property(entry, "routes") is not { ValueKind: JsonValueKind.Object } routes)
        {
            return null;
        }

        if (Text(routes, "default") is { } fallback)
        {
            return fallback;
        }

        if (Property(routes, "rules") is { ValueKind: JsonValueKind.Array } rules)
        {
            foreach (var rule in rules.EnumerateArray())
            {
                if (rule.ValueKind == JsonValueKind.Object && string.IsNullOrEmpty(Text(rule, "match")))
                {
                    return Text(rule, "path");
                }
            }
        }

        return null;
    }

    private static string? Text(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.String } value && value.GetString() is { Length: > 0 } s
            ? s
            : null;

    private static JsonElement? Property(JsonElement element, string name)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }
}
