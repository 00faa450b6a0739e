using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace WasmWizard.Api.Http;

/// <summary>
/// Reads a multipart/form-data body part by part, refusing as early as possible: a wrong content type, too many
/// parts, a part over its size limit, a repeated field or a malformed body each get a clear 4xx problem.
/// Nothing is buffered to disk.
/// </summary>
public static class MultipartFormReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads the form. <paramref name="partLimit"/> gives each field's size limit and the code to refuse with.</summary>
    public static async Task<MultipartForm> ReadAsync(
        HttpRequest request,
        int maxParts,
        Func<string, (long MaxBytes, string TooLargeCode)> partLimit,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(partLimit);
        var boundary = Boundary(request);
        var reader = new MultipartReader(boundary, request.Body)
        {
            HeadersCountLimit = 8,
            HeadersLengthLimit = 8 * 1024,
        };
        var form = new MultipartForm();
        var parts = 0;
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false) is { } section)
            {
                if (++parts > maxParts)
                {
                    throw new ApiProblemException(
                        StatusCodes.Status400BadRequest, ErrorCodes.InvalidMultipart,
                        $"The form has more than {maxParts} parts.");
                }

                var disposition = section.GetContentDispositionHeader();
                if (disposition is null
                    || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase)
                    || string.IsNullOrEmpty(disposition.Name.Value))
                {
                    throw new ApiProblemException(
                        StatusCodes.Status400BadRequest, ErrorCodes.InvalidMultipart,
                        "Every part needs a Content-Disposition: form-data header with a name.");
                }

                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? string.Empty;
                if (form.Contains(name))
                {
                    throw new ApiProblemException(
                        StatusCodes.Status400BadRequest, ErrorCodes.InvalidMultipart,
                        $"The field '{Printable(name)}' appears more than once.");
                }

                var (maxBytes, tooLargeCode) = partLimit(name);
                var content = await ReadLimitedAsync(section.Body, maxBytes, name, tooLargeCode, cancellationToken)
                    .ConfigureAwait(false);
                if (disposition.IsFileDisposition())
                {
                    var fileName = HeaderUtilities.RemoveQuotes(
                        disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                    form.Add(new MultipartFile(name, fileName, content));
                }
                else
                {
                    form.Add(name, DecodeText(content, name));
                }
            }
        }
        catch (Exception e) when (e is (IOException and not BadHttpRequestException) or InvalidDataException)
        {
            throw new ApiProblemException(
                StatusCodes.Status400BadRequest, ErrorCodes.InvalidMultipart, "The multipart body is malformed or truncated.");
        }

        return form;
    }

    private static string Boundary(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !string.Equals(mediaType.MediaType.Value, "multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            throw new ApiProblemException(
                StatusCodes.Status415UnsupportedMediaType, ErrorCodes.UnsupportedMediaType,
                "This endpoint takes multipart/form-data.");
        }

        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
        if (string.IsNullOrWhiteSpace(boundary) || boundary.Length > 200)
        {
            throw new ApiProblemException(
                StatusCodes.Status400BadRequest, ErrorCodes.InvalidMultipart, "The multipart boundary is missing or too long.");
        }

        return boundary;
    }

    private static async Task<byte[]> ReadLimitedAsync(
        Stream body, long maxBytes, string name, string tooLargeCode, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new ApiProblemException(
                    StatusCodes.Status413PayloadTooLarge, tooLargeCode,
                    $"The field '{Printable(name)}' is larger than {maxBytes} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>Decodes a part as strict UTF-8, refusing anything else with a 400 naming the part.</summary>
    public static string DecodeText(byte[] content, string name)
    {
        try
        {
            return StrictUtf8.GetString(content);
        }
        catch (DecoderFallbackException)
        {
            throw new ApiProblemException(
                StatusCodes.Status400BadRequest, ErrorCodes.InvalidField,
                $"The field '{Printable(name)}' is not valid UTF-8 text.");
        }
    }

    /// <summary>A field name safe to echo: printable characters only, and not too long.</summary>
    public static string Printable(string value)
    {
        var printable = new string(value.Where(c => !char.IsControl(c)).Take(64).ToArray());
        return printable.Length < value.Length ? printable + "..." : printable;
    }
}
