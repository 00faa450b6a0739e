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
        if (request.ContentLength > maxBytes)
        {
            throw TooLarge(maxBytes);
        }

        var body = await ReadLimitedAsync(request.Body, maxBytes, cancellationToken).ConfigureAwait(false);
        if (body.Length == 0)
        {
            return allowEmpty
                ? null
                : throw new ApiProblemException(StatusCodes.Status400BadRequest, ErrorCodes.InvalidJson, "The request body is empty.");
        }

        // A body in anything but JSON (or JSON in another charset than UTF-8) is refused, never guessed at.
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !(mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
                || mediaType.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase))
            || (mediaType.Charset.HasValue
                && !mediaType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
                && !mediaType.Charset.Equals("utf8", StringComparison.OrdinalIgnoreCase)))
        {
            throw new ApiProblemException(
                StatusCodes.Status415UnsupportedMediaType, ErrorCodes.UnsupportedMediaType,
                "This endpoint takes application/json in UTF-8.");
        }

        try
        {
            using var document = JsonDocument.Parse(body, DocumentOptions);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ApiProblemException(
                    StatusCodes.Status400BadRequest, ErrorCodes.InvalidJson, "The request body must be a JSON object.");
            }

            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (!names.Add(property.Name))
                {
                    throw new ApiProblemException(
                        StatusCodes.Status400BadRequest, ErrorCodes.InvalidJson,
                        $"The member '{MultipartFormReader.Printable(property.Name)}' appears more than once.");
                }
            }

            return root.Clone();
        }
        catch (JsonException e)
        {
            throw new ApiProblemException(
                StatusCodes.Status400BadRequest, ErrorCodes.InvalidJson,
                $"The request body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).");
        }
        catch (InvalidOperationException)
        {
            // A member name that is not valid Unicode (a lone surrogate escape) cannot even be read.
            throw new ApiProblemException(
                StatusCodes.Status400BadRequest, ErrorCodes.InvalidJson, "The request body holds text that is not valid Unicode.");
        }
    }

    private static async Task<byte[]> ReadLimitedAsync(Stream body, int maxBytes, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16384];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw TooLarge(maxBytes);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static ApiProblemException TooLarge(int maxBytes) => new(
        StatusCodes.Status413PayloadTooLarge, ErrorCodes.PayloadTooLarge, $"The request body is larger than {maxBytes} bytes.");
}
