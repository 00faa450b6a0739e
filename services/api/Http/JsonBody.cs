using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace WasmWizard.Api.Http;

/// <summary>
/// Reads a JSON request body under a size and depth limit. Parsing by hand (rather than model binding) lets every
/// malformed body get a 400 that names the problem, and keeps object member order (the environment's order).
/// </summary>
public static class JsonBody
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 16 };

    /// <summary>
    /// The body's root object, or null when the body is empty and <paramref name="allowEmpty"/> is set.
    /// </summary>
    public static async Task<JsonElement?> ReadObjectAsync(
        HttpRequest request, int maxBytes, bool allowEmpty, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength == 0 || (request.ContentLength is null && request.ContentType is null && allowEmpty))
        {
            if (allowEmpty)
            {
                return null;
            }

            throw new ApiProblemException(StatusCodes.Status400BadRequest, ErrorCodes.InvalidJson, "The request body is empty.");
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !(mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
                || mediaType.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase)))
        {
            throw new ApiProblemException(
                StatusCodes.Status415UnsupportedMediaType, ErrorCodes.UnsupportedMediaType,
                "This endpoint takes application/json.");
        }

        if (request.ContentLength > maxBytes)
        {
            throw new ApiProblemException(
                StatusCodes.Status413PayloadTooLarge, ErrorCodes.PayloadTooLarge,
                $"The request body is larger than {maxBytes} bytes.");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16384];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new ApiProblemException(
                    StatusCodes.Status413PayloadTooLarge, ErrorCodes.PayloadTooLarge,
                    $"The request body is larger than {maxBytes} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            return allowEmpty
                ? null
                : throw new ApiProblemException(StatusCodes.Status400BadRequest, ErrorCodes.InvalidJson, "The request body is empty.");
        }

        try
        {
            using var document = JsonDocument.Parse(buffer.ToArray(), DocumentOptions);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ApiProblemException(
                    StatusCodes.Status400BadRequest, ErrorCodes.InvalidJson, "The request body must be a JSON object.");
            }

            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new ApiProblemException(
                StatusCodes.Status400BadRequest, ErrorCodes.InvalidJson,
                $"The request body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).");
        }
    }
}
