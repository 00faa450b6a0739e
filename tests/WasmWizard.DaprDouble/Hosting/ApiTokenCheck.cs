using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace WasmWizard.DaprDouble.Hosting;

/// <summary>
/// daprd's <c>DAPR_API_TOKEN</c> check, ahead of routing on both ports: a call without the token (header
/// <c>dapr-api-token</c>, which is gRPC metadata too) is refused before it reaches any API, implemented or not.
/// Only the two GET health endpoints are exempt, as in daprd, so a client can wait for a sidecar it has no
/// token for.
/// </summary>
internal static class ApiTokenCheck
{
    public const string Header = "dapr-api-token";

    private const string Refusal = "invalid api token";

    public static Task RequireApiToken(HttpContext context, RequestDelegate next)
    {
        var sidecar = context.RequestServices.GetRequiredService<SidecarDouble>();
        if (sidecar.ApiToken is not { } expected || IsHealthCheck(context.Request) || Matches(context, expected))
        {
            return next(context);
        }

        // The gRPC port is the only HTTP/2 one, so the protocol tells which of daprd's two answers is due.
        if (HttpProtocol.IsHttp2(context.Request.Protocol))
        {
            // A trailers-only answer: the status travels in the headers, as gRPC servers send errors with no body.
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/grpc";
            var status = (int)StatusCode.Unauthenticated;
            context.Response.Headers["grpc-status"] = status.ToString(CultureInfo.InvariantCulture);
            context.Response.Headers["grpc-message"] = Refusal;
            return Task.CompletedTask;
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(Refusal, context.RequestAborted);
    }

    private static bool IsHealthCheck(HttpRequest request) =>
        HttpMethods.IsGet(request.Method)
        && request.Path.Value is "/v1.0/healthz" or "/v1.0/healthz/outbound";

    private static bool Matches(HttpContext context, string expected)
    {
        var sent = context.Request.Headers[Header].ToString();
        // Hashes of equal length, compared in constant time, as a real token check would.
        return sent.Length > 0 && CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(sent)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
    }
}
