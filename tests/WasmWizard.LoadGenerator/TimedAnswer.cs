using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace WasmWizard.LoadGenerator;

/// <summary>
/// One request timed from sending to the last byte of its answer, with what a caller reads from the answer: the
/// status, the run's <c>outcome</c> and <c>exit_code</c>, or the error <c>code</c> of a refusal.
/// </summary>
public sealed record TimedAnswer(
    [property: JsonPropertyName("ms")] double Milliseconds,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("outcome")] string? Outcome,
    [property: JsonPropertyName("exit_code")] int? ExitCode,
    [property: JsonPropertyName("code")] string? Code)
{
    /// <summary>A run that exited 0.</summary>
    [JsonIgnore]
    public bool Succeeded => Status == 200 && Outcome == "exited" && ExitCode == 0;

    /// <summary>Sends <paramref name="request"/> (and disposes it) and times it.</summary>
    public static async Task<TimedAnswer> OfAsync(HttpClient http, HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(request);
        using (request)
        {
            var clock = Stopwatch.StartNew();
            using var response = await http.SendAsync(request).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            var ms = Math.Round(clock.Elapsed.TotalMilliseconds, 1);
            string? outcome = null, code = null;
            int? exitCode = null;
            try
            {
                using var json = JsonDocument.Parse(body);
                var root = json.RootElement;
                outcome = Text(root, "outcome");
                code = Text(root, "code");
                exitCode = root.TryGetProperty("exit_code", out var exit) && exit.ValueKind == JsonValueKind.Number
                    ? exit.GetInt32()
                    : null;
            }
            catch (JsonException)
            {
                // Not JSON: the status alone says what happened.
            }

            return new TimedAnswer(ms, (int)response.StatusCode, outcome, exitCode, code);
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object
        && root.TryGetProperty(name, out var value)
        && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
