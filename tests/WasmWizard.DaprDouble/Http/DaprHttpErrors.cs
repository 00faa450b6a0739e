using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace WasmWizard.DaprDouble.Http;

/// <summary>Writes errors in daprd's HTTP shape: <c>{"errorCode":"ERR_…","message":"…"}</c>.</summary>
internal static class DaprHttpErrors
{
    public static Task WriteAsync(HttpContext context, int status, string errorCode, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["errorCode"] = errorCode,
            ["message"] = message,
        });
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    /// <summary>413, for a body over <c>--max-body-size</c>.</summary>
    public static Task TooLargeAsync(HttpContext context, long limit) => WriteAsync(
        context,
        StatusCodes.Status413PayloadTooLarge,
        "ERR_BODY_TOO_LARGE",
        $"the request body exceeds the sidecar's max body size of {limit} bytes");

    /// <summary>501, for a part of daprd's API the double leaves out.</summary>
    public static Task NotImplementedAsync(HttpContext context) => WriteAsync(
        context,
        StatusCodes.Status501NotImplemented,
        "ERR_DOUBLE_NOT_IMPLEMENTED",
        $"the sidecar double does not implement {context.Request.Method} {context.Request.Path}");
}
