using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using WasmWizard.DaprDouble.State;

namespace WasmWizard.DaprDouble.Http;

/// <summary>
/// The actor part of the HTTP API: method calls, routed to the app that hosts the type, and actor state, kept in
/// the network's actor state store under <c>appId||type||id||key</c>.
/// </summary>
internal static class ActorEndpoints
{
    public const string MethodPattern = "/v1.0/actors/{actorType}/{actorId}/method/{method}";
    public const string StateKeyPattern = "/v1.0/actors/{actorType}/{actorId}/state/{key}";
    public const string StatePattern = "/v1.0/actors/{actorType}/{actorId}/state";

    public static async Task InvokeAsync(HttpContext context)
    {
        var sidecar = context.RequestServices.GetRequiredService<SidecarDouble>();
        var (type, id) = (Route(context, "actorType"), Route(context, "actorId"));
        var body = await HttpForwarding.ReadBodyAsync(context.Request, sidecar.MaxBodySize, context.RequestAborted);
        if (body is null)
        {
            await DaprHttpErrors.TooLargeAsync(context, sidecar.MaxBodySize);
            return;
        }

        if (sidecar.Network.Actors.FindHost(type, id) is not { App: { } app } host)
        {
            await DaprHttpErrors.WriteAsync(context, StatusCodes.Status500InternalServerError,
                "ERR_ACTOR_INVOKE_METHOD", $"failed to invoke actor: did not find address for actor {type}/{id}");
            return;
        }

        // daprd always calls the hosting app with PUT, whatever verb the caller used.
        var target = $"/actors/{Escape(type)}/{Escape(id)}/method/{Escape(Route(context, "method"))}";
        using var request = HttpForwarding.CreateRequest(context.Request, HttpMethod.Put, target, body);
        using var turn = await sidecar.Network.Actors.TakeTurnAsync(type, id, context.RequestAborted);
        HttpResponseMessage response;
        try
        {
            // The hosting app's sidecar makes the call, so its app token goes along, not this sidecar's.
            response = await app.SendAsync(request, host.AppToken, context.RequestAborted);
        }
        catch (HttpRequestException e)
        {
            await DaprHttpErrors.WriteAsync(context, StatusCodes.Status500InternalServerError,
                "ERR_ACTOR_INVOKE_METHOD", $"failed to invoke actor: {e.Message}");
            return;
        }

        using (response)
        {
            // Status, headers (X-DaprErrorResponseHeader for remoting errors) and body go back as the app sent them.
            await HttpForwarding.CopyResponseAsync(response, context.Response, context.RequestAborted);
        }
    }

    public static Task GetStateAsync(HttpContext context)
    {
        var sidecar = context.RequestServices.GetRequiredService<SidecarDouble>();
        var key = KeyPrefix.ForActor(
            sidecar.AppId, Route(context, "actorType"), Route(context, "actorId"), Route(context, "key"));
        if (sidecar.Network.ActorStateStore.Get(key) is not { } entry)
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return Task.CompletedTask;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        return context.Response.Body.WriteAsync(entry.Value, context.RequestAborted).AsTask();
    }

    public static async Task SaveStateAsync(HttpContext context)
    {
        var sidecar = context.RequestServices.GetRequiredService<SidecarDouble>();
        var body = await HttpForwarding.ReadBodyAsync(context.Request, sidecar.MaxBodySize, context.RequestAborted);
        if (body is null)
        {
            await DaprHttpErrors.TooLargeAsync(context, sidecar.MaxBodySize);
            return;
        }

        List<StateWrite> writes;
        try
        {
            writes = ActorStateTransaction.Parse(
                body, sidecar.AppId, Route(context, "actorType"), Route(context, "actorId"));
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            await DaprHttpErrors.WriteAsync(
                context, StatusCodes.Status400BadRequest, "ERR_MALFORMED_REQUEST", e.Message);
            return;
        }

        sidecar.Network.ActorStateStore.Apply(writes, atomic: true);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static string Route(HttpContext context, string name) => (string)context.GetRouteValue(name)!;

    private static string Escape(string segment) => Uri.EscapeDataString(segment);
}
