using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace WasmWizard.Api.Http;

/// <summary>Typed access to the members of a JSON object, refusing wrong types with a 400 naming the field.</summary>
public static class JsonFields
{
    /// <summary>A string member, or null when absent or null.</summary>
    public static string? String(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? Text(value, name) : throw WrongType(name, "a string");
    }

    /// <summary>A 32-bit integer member, or null when absent or null.</summary>
    public static int? Int32(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number)
            ? number
            : throw WrongType(name, "an integer");
    }

    /// <summary>An unsigned 64-bit integer member, or null when absent or null.</summary>
    public static ulong? UInt64(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetUInt64(out var number)
            ? number
            : throw WrongType(name, "a non-negative integer");
    }

    /// <summary>A boolean member, or null when absent or null.</summary>
    public static bool? Boolean(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw WrongType(name, "a boolean"),
        };
    }

    /// <summary>An array of strings, or null when absent or null.</summary>
    public static IReadOnlyList<string>? StringArray(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return ParseStringArray(value, name);
    }

    /// <summary>An object of string values, in the order the client wrote them, or null when absent or null.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>>? StringMap(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return ParseStringMap(value, name);
    }

    /// <summary>Parses an array of strings.</summary>
    public static IReadOnlyList<string> ParseStringArray(JsonElement value, string name)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw WrongType(name, "an array of strings");
        }

        return value.EnumerateArray()
            .Select(item => item.ValueKind == JsonValueKind.String ? Text(item, name) : throw WrongType(name, "an array of strings"))
            .ToList();
    }

    /// <summary>Parses an object whose values are strings, keeping member order.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ParseStringMap(JsonElement value, string name)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw WrongType(name, "an object of strings");
        }

        try
        {
            return value.EnumerateObject()
                .Select(p => p.Value.ValueKind == JsonValueKind.String
                    ? KeyValuePair.Create(p.Name, Text(p.Value, name))
                    : throw WrongType(name, "an object of strings"))
                .ToList();
        }
        catch (InvalidOperationException)
        {
            throw NotUnicode(name);
        }
    }

    /// <summary>
    /// The text of a string value. JSON can spell a lone surrogate (<c>"\ud800"</c>), which no UTF-8 text holds and
    /// which WASI could not pass on: refuse it here, naming the field.
    /// </summary>
    private static string Text(JsonElement value, string name)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw NotUnicode(name);
        }
    }

    private static ApiProblemException NotUnicode(string name) =>
        new(StatusCodes.Status400BadRequest, ErrorCodes.InvalidField, $"The field '{name}' is not valid Unicode text.");

    private static ApiProblemException WrongType(string name, string expected) =>
        new(StatusCodes.Status400BadRequest, ErrorCodes.InvalidField, $"The field '{name}' must be {expected}.");
}
