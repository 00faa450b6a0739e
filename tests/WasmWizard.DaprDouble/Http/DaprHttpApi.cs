using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace WasmWizard.DaprDouble.Http;

/// <summary>Maps the parts of daprd's HTTP API (<c>/v1.0/…</c>) the double provides.</summary>
internal static class DaprHttpApi
{
    public static void MapDaprHttpApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1.0/healthz", HealthAsync);
        endpoints.MapGet("/v1.0/healthz/outbound", HealthAsync);
        endpoints.Map(InvocationEndpoint.Pattern, InvocationEndpoint.HandleAsync);
        endpoints.Map(ActorEndpoints.MethodPattern, ActorEndpoints.InvokeAsync);
        endpoints.MapGet(ActorEndpoints.StateKeyPattern, ActorEndpoints.GetStateAsync);
        endpoints.MapMethods(ActorEndpoints.StatePattern, ["PUT", "POST"], ActorEndpoints.SaveStateAsync);

        // TODO: reminders, timers, HTTP state and publish, metadata and the rest answer 501 so a test that needs
        // them fails plainly; add them when a service uses them.
        endpoints.Map("/v1.0/{**rest}", DaprHttpErrors.NotImplementedAsync);
    }

    private static Task HealthAsync(HttpContext context)
    {
        var sidecar = context.RequestServices.GetRequiredService<SidecarDouble>();
        if (!sidecar.IsReady)
        {
            sidecar.CountNotReadyAnswer();
            return DaprHttpErrors.WriteAsync(
                context, StatusCodes.Status500InternalServerError, "ERR_HEALTH_NOT_READY", "dapr is not ready");
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }
}
