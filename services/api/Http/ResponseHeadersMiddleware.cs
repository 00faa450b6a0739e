using Microsoft.AspNetCore.Http;
using WasmWizard.Shared.Hosting;

namespace WasmWizard.Api.Http;

/// <summary>
/// Headers every response carries, error responses included: a request id (the W3C trace id, so an incoming
/// traceparent is honoured) and the security headers of an API that serves no HTML.
/// </summary>
public sealed class ResponseHeadersMiddleware(RequestDelegate next)
{
    /// <summary>The request id header.</summary>
    public const string RequestIdHeader = "X-Request-Id";

    /// <summary>Sets the headers when the response starts, then hands the request on.</summary>
    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers[RequestIdHeader] = RequestId(context);
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Resource-Policy"] = "same-origin";
            if (context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
            {
                // Answers can hold a key shown once, or a user's output: no cache should keep them.
                headers.CacheControl = "no-store";
            }

            if (context.Request.IsHttps)
            {
                headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
            }

            return Task.CompletedTask;
        });
        return next(context);
    }

    /// <summary>The request's id, the same one its log lines carry (see <see cref="RequestLogContext"/>).</summary>
    public static string RequestId(HttpContext context) => RequestLogContext.RequestId(context);
}
