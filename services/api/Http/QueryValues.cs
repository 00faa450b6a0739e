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
}
