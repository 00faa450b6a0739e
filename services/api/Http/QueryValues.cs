using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace WasmWizard.Api.Http;

/// <summary>Query parameters parsed by hand so a malformed value gets a 400 naming it.</summary>
public static class QueryValues
{
    /// <summary>An integer parameter within [<paramref name="min"/>, <paramref name="max"/>], or the default.</summary>
    public static int Int32(HttpRequest request, string name, int defaultValue, int min, int max)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.Query.TryGetValue(name, out var values) || values.Count == 0)
        {
            return defaultValue;
        }

        if (values.Count > 1 || !int.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            || value < min || value > max)
        {
            throw new ApiProblemException(
                StatusCodes.Status400BadRequest, ErrorCodes.InvalidQuery,
                $"The query parameter '{name}' must be one integer from {min} to {max}.");
        }

        return value;
    }

    /// <summary>A boolean parameter (<c>true</c>/<c>false</c>/<c>1</c>/<c>0</c>), or the default.</summary>
    public static bool Boolean(HttpRequest request, string name, bool defaultValue)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.Query.TryGetValue(name, out var values) || values.Count == 0)
        {
            return defaultValue;
        }

        return values.Count == 1 && TextValues.TryParseBoolean(values[0], out var value)
            ? value
            : throw new ApiProblemException(
                StatusCodes.Status400BadRequest, ErrorCodes.InvalidQuery,
                $"The query parameter '{name}' must be true or false.");
    }

    /// <summary>
    /// A text parameter of at most <paramref name="maxLength"/> characters without control characters, or null when
    /// absent.
    /// </summary>
    public static string? Text(HttpRequest request, string name, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.Query.TryGetValue(name, out var values) || values.Count == 0)
        {
            return null;
        }

        var value = values[0];
        if (values.Count > 1 || string.IsNullOrEmpty(value) || value.Length > maxLength || value.Any(char.IsControl))
        {
            throw new ApiProblemException(
                StatusCodes.Status400BadRequest, ErrorCodes.InvalidQuery,
                $"The query parameter '{name}' must be one value of 1 to {maxLength} characters of text.");
        }

        return value;
    }

    /// <summary>A GUID parameter, or null when absent.</summary>
    public static Guid? Guid(HttpRequest request, string name)
    {
        var text = Text(request, name, 64);
        return text is null ? null
            : System.Guid.TryParse(text, CultureInfo.InvariantCulture, out var value) ? value
            : throw new ApiProblemException(
                StatusCodes.Status400BadRequest, ErrorCodes.InvalidQuery, $"The query parameter '{name}' must be a UUID.");
    }

    /// <summary>
    /// An RFC 3339 time with its offset (<c>2026-12-04T10:00:00Z</c>), or null when absent. A time without an offset
    /// would be read in the server's zone, so it is refused.
    /// </summary>
    public static DateTimeOffset? Time(HttpRequest request, string name)
    {
        var text = Text(request, name, 64);
        if (text is null)
        {
            return null;
        }

        return TextValues.TryParseInstant(text, out var value)
            ? value
            : throw new ApiProblemException(
                StatusCodes.Status400BadRequest, ErrorCodes.InvalidQuery,
                $"The query parameter '{name}' must be an RFC 3339 time with an offset, such as 2026-12-04T10:00:00Z.");
    }
}
