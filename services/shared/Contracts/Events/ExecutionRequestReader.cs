using System.Text;
using System.Text.Json;
using WasmWizard.Shared.Text;

namespace WasmWizard.Shared.Contracts.Events;

/// <summary>
/// Reads an <see cref="ExecutionRequestEvent"/> out of the CloudEvent the sidecar delivers, with the precise reason
/// when it cannot: a request without a readable <c>request_id</c> and <c>tenant_id</c> cannot be answered at all
/// (poison: dead-lettered), one with them but a bad member is answered with an <c>invalid_request</c> refusal.
/// </summary>
public static class ExecutionRequestReader
{
    private const int MaxArgs = 1024;
    private const int MaxEnv = 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads the delivered CloudEvent (or bare request data) in <paramref name="body"/>.</summary>
    public static ReadExecutionRequest Read(ReadOnlySpan<byte> body, int maxStdinBytes)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray());
        }
        catch (JsonException)
        {
            return ReadExecutionRequest.Poison("the body is not JSON");
        }

        using (document)
        {
            var root = document.RootElement;
            string? eventId = null;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("specversion", out _))
            {
                eventId = root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
                if (!TryData(root, out root, out var problem))
                {
                    return ReadExecutionRequest.Poison(problem);
                }
            }

            return ReadData(root, maxStdinBytes, eventId);
        }
    }

    private static bool TryData(JsonElement cloudEvent, out JsonElement data, out string problem)
    {
        problem = "";
        if (cloudEvent.TryGetProperty("data", out data))
        {
            if (data.ValueKind == JsonValueKind.String)
            {
                // Published as text (no JSON content type): the JSON is inside the string.
                return TryParseNested(Encoding.UTF8.GetBytes(data.GetString()!), out data, out problem);
            }

            return true;
        }

        if (cloudEvent.TryGetProperty("data_base64", out var base64) && base64.ValueKind == JsonValueKind.String)
        {
            try
            {
                return TryParseNested(Convert.FromBase64String(base64.GetString()!), out data, out problem);
            }
            catch (FormatException)
            {
                problem = "data_base64 is not base64";
                return false;
            }
        }

        problem = "the CloudEvent has no data";
        return false;
    }

    private static bool TryParseNested(byte[] json, out JsonElement data, out string problem)
    {
        try
        {
            data = JsonDocument.Parse(json).RootElement.Clone();
            problem = "";
            return true;
        }
        catch (JsonException)
        {
            data = default;
            problem = "the CloudEvent's data is not JSON";
            return false;
        }
    }

    private static ReadExecutionRequest ReadData(JsonElement data, int maxStdinBytes, string? eventId)
    {
        if (data.ValueKind != JsonValueKind.Object)
        {
            return ReadExecutionRequest.Poison("the data is not a JSON object");
        }

        if (!TryGuid(data, "request_id", out var requestId) || requestId is not { } request)
        {
            return ReadExecutionRequest.Poison("request_id is missing or not a UUID");
        }

        if (!TryGuid(data, "tenant_id", out var tenantId) || tenantId is not { } tenant)
        {
            return ReadExecutionRequest.Poison("tenant_id is missing or not a UUID");
        }

        TryGuid(data, "module_id", out var moduleId);
        var reader = new MemberReader(data);
        var parsed = new ParsedExecutionRequest(
            request,
            tenant,
            moduleId,
            reader.Stdin(maxStdinBytes),
            reader.Args(),
            reader.Env(),
            reader.Limit<int>("timeout_ms", e => e.TryGetInt32(out var v) ? v : null),
            reader.Limit<int>("memory_limit_mb", e => e.TryGetInt32(out var v) ? v : null),
            reader.Limit<ulong>("fuel", e => e.TryGetUInt64(out var v) ? v : null),
            eventId);
        var problem = moduleId is null ? "module_id is missing or not a UUID." : reader.Problem;
        return new ReadExecutionRequest(parsed, problem, null);
    }

    private static bool TryGuid(JsonElement data, string name, out Guid? value)
    {
        value = null;
        if (data.TryGetProperty(name, out var member) && member.ValueKind == JsonValueKind.String
            && Guid.TryParse(member.GetString(), out var id))
        {
            value = id;
            return true;
        }

        return false;
    }

    // Reads the optional members, remembering the first problem rather than stopping at it: the request is then
    // refused with that problem, but its id and tenant are still known for the answer.
    private sealed class MemberReader(JsonElement data)
    {
        public string? Problem { get; private set; }

        public byte[] Stdin(int maxBytes)
        {
            var text = Optional("stdin", JsonValueKind.String);
            var base64 = Optional("stdin_base64", JsonValueKind.String);
            if (text is not null && base64 is not null)
            {
                Fail("Send stdin or stdin_base64, not both.");
                return [];
            }

            byte[] bytes;
            if (text is { } t)
            {
                if (UnicodeText.HasLoneSurrogate(t.GetString()!))
                {
                    Fail("stdin is not valid Unicode text; send bytes as stdin_base64.");
                    return [];
                }

                bytes = StrictUtf8.GetBytes(t.GetString()!);
            }
            else if (base64 is { } b)
            {
                try
                {
                    bytes = Convert.FromBase64String(b.GetString()!);
                }
                catch (FormatException)
                {
                    Fail("stdin_base64 is not base64.");
                    return [];
                }
            }
            else
            {
                return [];
            }

            if (bytes.Length > maxBytes)
            {
                Fail($"stdin is {bytes.Length} bytes; at most {maxBytes} are accepted.");
                return [];
            }

            return bytes;
        }

        public IReadOnlyList<string> Args()
        {
            if (Optional("args", JsonValueKind.Array) is not { } array)
            {
                return [];
            }

            var args = new List<string>();
            foreach (var item in array.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String || args.Count >= MaxArgs)
                {
                    Fail($"args must be an array of at most {MaxArgs} strings.");
                    return [];
                }

                args.Add(item.GetString()!);
            }

            return args;
        }

        public IReadOnlyList<KeyValuePair<string, string>> Env()
        {
            if (Optional("env", JsonValueKind.Object) is not { } map)
            {
                return [];
            }

            var env = new List<KeyValuePair<string, string>>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var variable in map.EnumerateObject())
            {
                if (variable.Value.ValueKind != JsonValueKind.String || env.Count >= MaxEnv)
                {
                    Fail($"env must be an object of at most {MaxEnv} string values.");
                    return [];
                }

                // Refused here rather than by the sandbox, so such a request is answered invalid_request before it
                // is charged and queued (JSON objects may repeat a name; an environment may not).
                if (variable.Name.Length == 0 || variable.Name.Contains('=', StringComparison.Ordinal)
                    || !names.Add(variable.Name))
                {
                    Fail("env names must be non-empty, without '=', and each given once.");
                    return [];
                }

                env.Add(KeyValuePair.Create(variable.Name, variable.Value.GetString()!));
            }

            return env;
        }

        public T? Limit<T>(string name, Func<JsonElement, T?> read)
            where T : struct
        {
            if (Optional("limits", JsonValueKind.Object) is not { } limits
                || !limits.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (value.ValueKind == JsonValueKind.Number && read(value) is { } number)
            {
                return number;
            }

            Fail($"limits.{name} must be a whole number in range.");
            return null;
        }

        private JsonElement? Optional(string name, JsonValueKind kind)
        {
            if (!data.TryGetProperty(name, out var member) || member.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (member.ValueKind != kind)
            {
                Fail($"{name} must be a JSON {kind.ToString().ToLowerInvariant()}.");
                return null;
            }

            return member;
        }

        private void Fail(string problem) => Problem ??= problem;
    }
}

/// <summary>What <see cref="ExecutionRequestReader.Read"/> found.</summary>
/// <param name="Request">The request, when its id and tenant could be read.</param>
/// <param name="Problem">Why the request must be refused as <c>invalid_request</c>, or null when it is well formed.</param>
/// <param name="PoisonReason">Why nothing could be read (the request cannot be answered), or null.</param>
public sealed record ReadExecutionRequest(ParsedExecutionRequest? Request, string? Problem, string? PoisonReason)
{
    /// <summary>A delivery that names no request to answer.</summary>
    public static ReadExecutionRequest Poison(string reason) => new(null, null, reason);
}

/// <summary>An execution request as read, before any check against stores or tiers.</summary>
public sealed record ParsedExecutionRequest(
    Guid RequestId,
    Guid TenantId,
    Guid? ModuleId,
    byte[] Stdin,
    IReadOnlyList<string> Args,
    IReadOnlyList<KeyValuePair<string, string>> Env,
    int? TimeoutMs,
    int? MemoryLimitMb,
    ulong? Fuel,
    string? EventId);
