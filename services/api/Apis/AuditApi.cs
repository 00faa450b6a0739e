using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using WasmWizard.Api.Auth;
using WasmWizard.Api.Http;
using WasmWizard.Api.Model;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Api.Apis;

/// <summary>
/// Reading the audit trail: a tenant reads and verifies its own events, an admin everyone's. The trail itself lives
/// with the audit store (the audit service when distributed); this is only its public face.
/// </summary>
public static class AuditApi
{
    private const int MaxFilterLength = 200;

    /// <summary>Maps <c>/api/audit/events</c> and <c>/api/audit/verify</c>.</summary>
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/audit").WithTags("Audit").RequireAuthorization();
        api.MapGet("/events", ListAsync).WithName("ListAuditEvents").WithSummary("Audit events, newest first, filtered");
        api.MapGet("/verify", VerifyAsync).WithName("VerifyAuditChain").WithSummary("Check the audit hash chain");
        return app;
    }

    /// <summary>
    /// Query <c>type</c>, <c>actor</c>, <c>subject</c>, <c>from</c>, <c>to</c> (RFC 3339), <c>limit</c>, <c>cursor</c>; an
    /// admin may add <c>tenant</c> (a user id), and without it sees every tenant's events.
    /// </summary>
    public static async Task<Ok<AuditEventListResponse>> ListAsync(
        HttpRequest request, ClaimsPrincipal user, IAuditReader audit, CancellationToken cancellationToken)
    {
        var query = new AuditQuery(
            TenantScope(request, user),
            QueryValues.Text(request, "type", MaxFilterLength),
            QueryValues.Text(request, "actor", MaxFilterLength),
            QueryValues.Text(request, "subject", MaxFilterLength),
            QueryValues.Time(request, "from"),
            QueryValues.Time(request, "to"),
            QueryValues.Int32(request, "limit", AuditQuery.DefaultLimit, 1, AuditQuery.MaxLimit),
            QueryValues.Text(request, "cursor", 512));
        if (query is { From: { } from, To: { } to } && from >= to)
        {
            throw new ApiProblemException(
                StatusCodes.Status400BadRequest, ErrorCodes.InvalidQuery, "The query parameter 'from' must be before 'to'.");
        }

        AuditPage page;
        try
        {
            page = await audit.QueryAsync(query, cancellationToken);
        }
        catch (Exception e) when (IsStoreFailure(e))
        {
            throw new DependencyUnavailableException("audit store", e);
        }
        catch (ArgumentException)
        {
            throw new ApiProblemException(
                StatusCodes.Status400BadRequest, ErrorCodes.InvalidCursor,
                "The cursor is not one this service handed out; start again without it.");
        }

        return TypedResults.Ok(new AuditEventListResponse(
            page.Events.Select(AuditEventResponse.From).ToList(), page.NextCursor));
    }

    /// <summary>
    /// Recomputes the caller's hash chain (an admin's: every chain, or one tenant's with <c>tenant</c>) and reports
    /// whether it is intact or where it first breaks.
    /// </summary>
    public static async Task<Ok<ChainReport>> VerifyAsync(
        HttpRequest request, ClaimsPrincipal user, IAuditReader audit, CancellationToken cancellationToken)
    {
        var scope = TenantScope(request, user) is { } tenant
            ? AuditChainScope.Tenant(tenant)
            : AuditChainScope.All;
        try
        {
            return TypedResults.Ok(await audit.VerifyAsync(scope, cancellationToken));
        }
        catch (Exception e) when (IsStoreFailure(e))
        {
            throw new DependencyUnavailableException("audit store", e);
        }
    }

    // The embedded host reads its store directly (the distributed reader already answers DependencyUnavailable): a
    // database that does not answer is a dependency that is down, not a bug of this request.
    private static bool IsStoreFailure(Exception e) =>
        e is System.Data.Common.DbException or IOException or TimeoutException or System.Net.Sockets.SocketException;

    // Only an admin credential (the admin role and the admin scope, as the admin routes demand) chooses whose events
    // to read; everyone else reads their own, whatever they ask.
    private static Guid? TenantScope(HttpRequest request, ClaimsPrincipal user)
    {
        var caller = Caller.From(user);
        var asked = QueryValues.Guid(request, "tenant");
        if (caller.IsAdmin && Caller.ScopesOf(user).Contains(ApiScopes.Admin))
        {
            return asked;
        }

        return asked is null || asked == caller.UserId
            ? caller.UserId
            : throw new ApiProblemException(
                StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, "Only an admin reads another tenant's audit events.");
    }
}
