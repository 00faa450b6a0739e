using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using WasmWizard.Api.Http;

namespace WasmWizard.Api.Execution;

/// <summary>Reads run options from a JSON body (execute by id) or from form fields (ad-hoc execute).</summary>
public static class ExecuteOptionsParser
{
    private static readonly string[] JsonMembers =
        ["input", "input_base64", "args", "env", "timeout_ms", "memory_limit_mb", "fuel"];

    /// <summary>
    /// JSON: <c>input</c> (text) or <c>input_base64</c>, <c>args</c> (array of strings), <c>env</c> (object of
    /// strings, order kept), <c>timeout_ms</c>, <c>memory_limit_mb</c>, <c>fuel</c>. An empty body means none; any
    /// other member is refused, since a misspelt <c>input</c> would otherwise run the module on empty stdin.
    /// </summary>
    public static ExecuteOptions FromJson(JsonElement? body, int maxInputBytes)
    {
        if (body is not { } json)
        {
            return new ExecuteOptions([], [], [], null, null, null);
        }

        foreach (var member in json.EnumerateObject())
        {
            if (!JsonMembers.Contains(member.Name, StringComparer.Ordinal))
            {
                throw new ApiProblemException(
                    StatusCodes.Status400BadRequest, ErrorCodes.InvalidField,
                    $"Unknown field '{MultipartFormReader.Printable(member.Name)}'; a run takes "
                    + string.Join(", ", JsonMembers) + ".");
            }
        }

        var input = JsonFields.String(json, "input");
        var inputBase64 = JsonFields.String(json, "input_base64");
        return new ExecuteOptions(
            Stdin(input, inputBase64, maxInputBytes),
            JsonFields.StringArray(json, "args") ?? [],
            JsonFields.StringMap(json, "env") ?? [],
            JsonFields.Int32(json, "timeout_ms"),
            JsonFields.Int32(json, "memory_limit_mb"),
            JsonFields.UInt64(json, "fuel"));
    }

    /// <summary>
    /// Form: <c>input</c> (a file or text part, raw bytes), <c>args</c> (JSON array), <c>env</c> (JSON object),
    /// <c>timeout_ms</c>, <c>memory_limit_mb</c>, <c>fuel</c>.
    /// </summary>
    public static ExecuteOptions FromForm(MultipartForm form, int maxInputBytes)
    {
        ArgumentNullException.ThrowIfNull(form);
        var stdin = form.Bytes("input") ?? [];
        if (stdin.Length > maxInputBytes)
        {
            throw TooLarge(maxInputBytes);
        }

        return new ExecuteOptions(
            stdin,
            ParseJsonField(form.Text("args"), "args", JsonFields.ParseStringArray) ?? [],
            ParseJsonField(form.Text("env"), "env", JsonFields.ParseStringMap) ?? [],
            ParseNumber(form.Text("timeout_ms"), "timeout_ms", ParseInt32),
            ParseNumber(form.Text("memory_limit_mb"), "memory_limit_mb", ParseInt32),
            ParseNumber(form.Text("fuel"), "fuel", s => ulong.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture)));
    }

    private static byte[] Stdin(string? input, string? inputBase64, int maxInputBytes)
    {
        if (input is not null && inputBase64 is not null)
        {
            throw new ApiProblemException(
                StatusCodes.Status400BadRequest, ErrorCodes.InvalidField, "Give either 'input' or 'input_base64', not both.");
        }

        byte[] bytes;
        if (inputBase64 is not null)
        {
            if (inputBase64.Length > (maxInputBytes + 2) / 3 * 4 + 4)
            {
                throw TooLarge(maxInputBytes);
            }

            try
            {
                bytes = Convert.FromBase64String(inputBase64);
            }
            catch (FormatException)
            {
                throw new ApiProblemException(
                    StatusCodes.Status400BadRequest, ErrorCodes.InvalidField, "The field 'input_base64' is not valid base64.");
            }
        }
        else
        {
            if (input is not null && input.Length > maxInputBytes)
            {
                throw TooLarge(maxInputBytes);
            }

            try
            {
                bytes = input is null ? [] : new UTF8Encoding(false, throwOnInvalidBytes: true).GetBytes(input);
            }
            catch (EncoderFallbackException)
            {
                throw new ApiProblemException(
                    StatusCodes.Status400BadRequest, ErrorCodes.InvalidField,
                    "The field 'input' is not valid Unicode text; send binary input as 'input_base64'.");
            }
        }

        return bytes.Length > maxInputBytes ? throw TooLarge(maxInputBytes) : bytes;
    }

    private static T? ParseJsonField<T>(string? text, string name, Func<JsonElement, string, T> parse)
        where T : class
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 4 });
            return parse(document.RootElement, name);
        }
        catch (JsonException)
        {
            throw new ApiProblemException(
                StatusCodes.Status400BadRequest, ErrorCodes.InvalidField, $"The field '{name}' must be JSON.");
        }
    }

    private static T? ParseNumber<T>(string? text, string name, Func<string, T> parse)
        where T : struct
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            return parse(text.Trim());
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new ApiProblemException(
                StatusCodes.Status400BadRequest, ErrorCodes.InvalidField, $"The field '{name}' must be a non-negative integer.");
        }
    }

    private static int ParseInt32(string text) => int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);

    private static ApiProblemException TooLarge(int maxInputBytes) => new(
        StatusCodes.Status413PayloadTooLarge, ErrorCodes.InputTooLarge, $"The input is larger than {maxInputBytes} bytes.");
}
