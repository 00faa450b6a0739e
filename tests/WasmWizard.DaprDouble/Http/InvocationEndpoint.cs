using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace WasmWizard.DaprDouble.Http;

/// <summary>
/// <c>/v1.0/invoke/{appId}/method/{**path}</c>: service invocation, forwarded through the target app's sidecar to
/// its app with every verb, header, query and body, plus the caller and callee ids daprd adds. Calls to an app with
/// several replicas take turns over them.
/// </summary>
internal static class InvocationEndpoint
{
    public const string Pattern = "/v1.0/invoke/{appId}/method/{**path}";

    public static async Task HandleAsync(HttpContext context)
    {
        var sidecar = context.RequestServices.GetRequiredService<SidecarDouble>();
        var appId = (string)context.GetRouteValue("appId")!;
        var target = sidecar.Network.PickForInvocation(appId);
        if (target is null)
        {
            await FailAsync(context, appId, $"couldn't find service: {appId}");
            return;
        }

        // Both sidecars on the path enforce their own --max-body-size.
        var limit = Math.Min(sidecar.MaxBodySize, target.MaxBodySize);
        var body = await HttpForwarding.ReadBodyAsync(context.Request, limit, context.RequestAborted);
        if (body is null)
        {
            await DaprHttpErrors.TooLargeAsync(context, limit);
            return;
        }

        if (target.App is not { } app)
        {
            await FailAsync(context, appId, "app channel is not initialized");
            return;
        }

        using var request = HttpForwarding.CreateRequest(
            context.Request, new HttpMethod(context.Request.Method), MethodTarget(context), body);
        request.Headers.Remove("dapr-caller-app-id");
        request.Headers.Remove("dapr-callee-app-id");
        request.Headers.TryAddWithoutValidation("dapr-caller-app-id", sidecar.AppId);
        request.Headers.TryAddWithoutValidation("dapr-callee-app-id", appId);
        if (target.AppId != sidecar.AppId)
        {
            // daprd's caller side appends its own host's address to what the caller sent (a value of its own,
            // after the caller's), and only when the call leaves for another app (pkg/messaging/direct_messaging.go).
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", sidecar.HostAddress);
            request.Headers.TryAddWithoutValidation("Forwarded", $"for={sidecar.HostAddress};by={sidecar.HostAddress};");
        }
        HttpResponseMessage response;
        try
        {
            // The callee's sidecar delivers the call, so the callee's app token goes along, never the caller's.
            response = await app.SendAsync(request, target.AppToken, context.RequestAborted);
        }
        catch (HttpRequestException e)
        {
            await FailAsync(context, appId, e.Message);
            return;
        }

        using (response)
        {
            await HttpForwarding.CopyResponseAsync(response, context.Response, context.RequestAborted);
        }
    }

    /// <summary>
    /// The app path and query exactly as the caller encoded them: everything after <c>/method/</c> in the raw
    /// request target, so escaped characters reach the app unchanged.
    /// </summary>
    private static string MethodTarget(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "";
        var afterInvoke = raw.TrimStart('/');
        var method = afterInvoke.IndexOf("/method/", StringComparison.Ordinal);
        return method < 0 ? "/" : afterInvoke[(method + "/method".Length)..];
    }

    private static Task FailAsync(HttpContext context, string appId, string reason) => DaprHttpErrors.WriteAsync(
        context,
        StatusCodes.Status500InternalServerError,
        "ERR_DIRECT_INVOKE",
        $"failed to invoke, id: {appId}, err: {reason}");
}
