using System.Text.Json;
using System.Text.Json.Nodes;

namespace WasmWizard.LoadGenerator;

/// <summary>How reports are written: indented JSON with the snake_case names the records declare.</summary>
public static class Json
{
    public static JsonSerializerOptions Options { get; } = new() { WriteIndented = true };

    public static JsonNode? ToNode<T>(T value) => JsonSerializer.SerializeToNode(value, Options);
}
