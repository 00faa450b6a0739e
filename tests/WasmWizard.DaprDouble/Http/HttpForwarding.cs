using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;

namespace WasmWizard.DaprDouble.Http;

/// <summary>Copies requests to an app and its answers back, as daprd's reverse proxy does.</summary>
internal static class HttpForwarding
{
    // Hop-by-hop headers belong to one connection (HttpClient and Kestrel set their own), and the token
    // authenticates the caller to its own sidecar only.
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "TE",
        "Trailer", "Transfer-Encoding", "Upgrade", "Expect", "Host", "Content-Length", "dapr-api-token",
    };

    /// <summary>
    /// The whole request body, or null when it is longer than <paramref name="limit"/>. The rest of an
    /// over-long body is still read and thrown away, so the caller gets the 413 rather than a reset connection.
    /// </summary>
    public static async Task<byte[]?> ReadBodyAsync(
        HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        var tooLarge = request.ContentLength > limit;
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (!tooLarge && buffer.Length + read > limit)
            {
                tooLarge = true;
            }

            if (!tooLarge)
            {
                buffer.Write(chunk, 0, read);
            }
        }

        return tooLarge ? null : buffer.ToArray();
    }

    public static HttpRequestMessage CreateRequest(HttpRequest source, HttpMethod method, string target, byte[] body)
    {
        var request = new HttpRequestMessage(method, target);
        if (body.Length > 0 || source.ContentType is not null)
        {
            request.Content = new ByteArrayContent(body);
        }

        foreach (var (name, values) in source.Headers)
        {
            if (NotForwarded.Contains(name))
            {
                continue;
            }

            if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        return request;
    }

    public static async Task CopyResponseAsync(
        HttpResponseMessage source, HttpResponse target, CancellationToken cancellationToken)
    {
        target.StatusCode = (int)source.StatusCode;
        CopyHeaders(source.Headers, target);
        CopyHeaders(source.Content.Headers, target);

        // Kestrel refuses any write, even of nothing, to an answer that cannot have a body (204, 304), and then
        // aborts the connection under the caller's next request.
        if (target.StatusCode is StatusCodes.Status204NoContent or StatusCodes.Status304NotModified)
        {
            return;
        }

        await source.Content.CopyToAsync(target.Body, cancellationToken);
    }

    private static void CopyHeaders(HttpHeaders headers, HttpResponse target)
    {
        foreach (var (name, values) in headers)
        {
            if (!NotForwarded.Contains(name))
            {
                target.Headers[name] = values.ToArray();
            }
        }
    }
}
