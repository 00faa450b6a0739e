using System.Text.Json.Serialization;

namespace WasmWizard.Executor.Sandbox;

/// <summary>The one line of JSON the compiler process writes to stdout when it finishes on its own.</summary>
internal sealed record CompilerAnswer(
    [property: JsonPropertyName("ok")] bool Ok,
    [property: JsonPropertyName("code")] string? Code,
    [property: JsonPropertyName("message")] string? Message);
