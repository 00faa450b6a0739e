using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using WasmWizard.Executor.Sandbox;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Dapr;

namespace WasmWizard.Executor.Hosting;

/// <summary>
/// Reads the multipart body of a run (<see cref="ExecutorProtocol"/>) into a <see cref="RunRequest"/>. Everything
/// about its shape is checked here and refused as an invalid request; the limits of the run itself (input size,
/// arguments, environment, deadline, memory) stay the sandbox's to check, so both hosts refuse alike.
/// </summary>
internal static class RunRequestReader
{
    private const int MaxTenantLength = 256;

    public static async Task<RunRequest> ReadAsync(
        HttpRequest request, ExecutorRequestLimits limits, CancellationToken cancellationToken)
    {
        var reader = new MultipartReader(Boundary(request), request.Body)
        {
            HeadersCountLimit = 4,
            HeadersLengthLimit = 4 * 1024,
        };
        ExecutorRunRequestDto? envelope = null;
        byte[]? stdin = null;
        byte[]? module = null;
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false) is { } section)
            {
                switch (PartName(section))
                {
                    case ExecutorProtocol.RequestPart when envelope is null:
                        RequireType(section, "application/json", ExecutorProtocol.RequestPart);
                        var json = await RequestBodies.ReadAllAsync(
                            section.Body,
                            limits.MaxRequestPartBytes,
                            () => new InvalidExecutorRequestException(
                                $"The request part is larger than {limits.MaxRequestPartBytes} bytes."),
                            cancellationToken).ConfigureAwait(false);
                        envelope = Parse(json);
                        break;
                    case ExecutorProtocol.StdinPart when stdin is null:
                        RequireType(section, "application/octet-stream", ExecutorProtocol.StdinPart);
                        stdin = await ReadUnboundedAsync(section, cancellationToken).ConfigureAwait(false);
                        break;
                    case ExecutorProtocol.ModulePart when module is null:
                        RequireType(section, ExecutorProtocol.WasmMediaType, ExecutorProtocol.ModulePart);
                        module = await ReadUnboundedAsync(section, cancellationToken).ConfigureAwait(false);
                        break;
                    default:
                        throw new InvalidExecutorRequestException(
                            "Unexpected or repeated part: a run has one request part, one stdin part and at most "
                            + "one module part.");
                }
            }
        }
        catch (Exception e) when (e is (IOException and not BadHttpRequestException) or InvalidDataException
            && !cancellationToken.IsCancellationRequested)
        {
            throw new InvalidExecutorRequestException("The multipart body is malformed or truncated.");
        }

        if (envelope is null || stdin is null)
        {
            throw new InvalidExecutorRequestException(
                $"A run needs a '{ExecutorProtocol.RequestPart}' part and a '{ExecutorProtocol.StdinPart}' part.");
        }

        if (module is not null && CompiledModuleCache.Sha256Of(module) != envelope.Sha256)
        {
            throw new InvalidExecutorRequestException("The module part does not have the SHA-256 the request names.");
        }

        return envelope.ToRequest(stdin, module);
    }

    private static ExecutorRunRequestDto Parse(byte[] json)
    {
        ExecutorRunRequestDto? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize<ExecutorRunRequestDto>(json, ExecutorProtocol.StrictJson);
        }
        catch (JsonException e)
        {
            throw new InvalidExecutorRequestException("The request part is not a run request: " + e.Message);
        }

        // The serializer checks members and their types; what it cannot see inside lists is checked here.
        if (envelope is null
            || !ExecutorProtocol.IsSha256(envelope.Sha256)
            || envelope.Args.Any(a => a is null)
            || envelope.Env.Any(e => e.Key is null || e.Value is null)
            || envelope.Tenant is { Length: 0 or > MaxTenantLength }
            || envelope.Tenant?.Any(char.IsControl) == true)
        {
            throw new InvalidExecutorRequestException(
                "The request part needs a lower-case hex sha256, args and env without nulls, and a tenant of 1 to "
                + $"{MaxTenantLength} printable characters or null.");
        }

        return envelope;
    }

    private static string Boundary(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidExecutorRequestException(
                "A run is multipart/form-data.",
                StatusCodes.Status415UnsupportedMediaType,
                ExecutorErrorCodes.UnsupportedMediaType);
        }

        var boundary = HeaderUtilities.RemoveQuotes(type.Boundary).Value;
        if (string.IsNullOrWhiteSpace(boundary) || boundary.Length > 200)
        {
            throw new InvalidExecutorRequestException("The multipart boundary is missing or too long.");
        }

        return boundary;
    }

    private static string PartName(MultipartSection section)
    {
        var disposition = section.GetContentDispositionHeader();
        if (disposition is null || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidExecutorRequestException("Every part needs a Content-Disposition: form-data header.");
        }

        return HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
    }

    private static void RequireType(MultipartSection section, string mediaType, string part)
    {
        if (!MediaTypeHeaderValue.TryParse(section.ContentType, out var type)
            || !type.MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidExecutorRequestException($"The '{part}' part must be {mediaType}.");
        }
    }

    // The input and module sizes are the sandbox's to refuse, with the same words as in the embedded host; the
    // server's body limit, set from the same sandbox limits, bounds what is read meanwhile.
    private static Task<byte[]> ReadUnboundedAsync(MultipartSection section, CancellationToken cancellationToken) =>
        RequestBodies.ReadAllAsync(section.Body, limit: null, () => new InvalidOperationException(), cancellationToken);
}
