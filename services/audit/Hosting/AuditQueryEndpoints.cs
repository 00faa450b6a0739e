using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using WasmWizard.Shared.Dapr;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Audit.Hosting;

/// <summary>
/// The audit service's answers to the api (<see cref="AuditProtocol"/>): a page of events and the chains' check. Only
/// the sidecar reaches them (<c>UseSidecarChannel</c>); the api has already narrowed the query to what its caller
/// may read.
/// </summary>
public static class AuditQueryEndpoints
{
    /// <summary>Maps the query and verify routes.</summary>
    public static IEndpointRouteBuilder MapAuditQueries(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPost("/" + AuditProtocol.QueryRoute, QueryAsync);
        app.MapPost("/" + AuditProtocol.VerifyRoute, VerifyAsync);
        return app;
    }

    private static async Task<IResult> QueryAsync(HttpRequest request, IAuditReader reader, CancellationToken cancellationToken)
    {
        var query = await request.ReadFromJsonAsync<AuditQuery>(AuditProtocol.Json, cancellationToken);
        if (query is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: "A query is required.");
        }

        try
        {
            return Results.Json(await reader.QueryAsync(query, cancellationToken), AuditProtocol.Json);
        }
        catch (ArgumentException)
        {
            // A cursor it never handed out, or a page size out of range: the caller's mistake, not the service's.
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: "The query is not valid.");
        }
    }

    private static async Task<IResult> VerifyAsync(HttpRequest request, IAuditReader reader, CancellationToken cancellationToken)
    {
        var scope = await request.ReadFromJsonAsync<AuditChainScope>(AuditProtocol.Json, cancellationToken);
        return scope is null
            ? Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: "A scope is required.")
            : Results.Json(await reader.VerifyAsync(scope, cancellationToken), AuditProtocol.Json);
    }
}
