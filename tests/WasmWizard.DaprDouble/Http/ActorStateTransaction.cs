using System.Text;
using System.Text.Json;
using WasmWizard.DaprDouble.State;

namespace WasmWizard.DaprDouble.Http;

/// <summary>
/// Reads the body of <c>PUT /v1.0/actors/{type}/{id}/state</c>:
/// <c>[{"operation":"upsert","request":{"key":"k","value":…}},{"operation":"delete","request":{"key":"k"}}]</c>.
/// </summary>
internal static class ActorStateTransaction
{
    /// <exception cref="JsonException">The body is not JSON.</exception>
    /// <exception cref="FormatException">It is JSON of another shape.</exception>
    public static List<StateWrite> Parse(byte[] body, string appId, string actorType, string actorId)
    {
        using var document = JsonDocument.Parse(body);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("actor state operations must be a JSON array");
        }

        var writes = new List<StateWrite>();
        foreach (var operation in document.RootElement.EnumerateArray())
        {
            var kind = Text(operation, "operation");
            if (!operation.TryGetProperty("request", out var request) || Text(request, "key") is not { } key)
            {
                throw new FormatException("each actor state operation needs a request with a key");
            }

            var storedKey = KeyPrefix.ForActor(appId, actorType, actorId, key);
            writes.Add(kind switch
            {
                // The value is stored as the raw JSON the SDK sent, and read back the same way.
                "upsert" => new StateWrite(storedKey, Value(request), null, FirstWrite: false),
                "delete" => new StateWrite(storedKey, null, null, FirstWrite: false),
                _ => throw new FormatException($"operation type {kind} not supported"),
            });
        }

        return writes;
    }

    private static byte[] Value(JsonElement request) =>
        request.TryGetProperty("value", out var value)
            ? Encoding.UTF8.GetBytes(value.GetRawText())
            : Encoding.UTF8.GetBytes("null");

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object
        && element.TryGetProperty(name, out var value)
        && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
