using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;
using WasmWizard.Executor.Hosting;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Dapr;
using WasmWizard.Shared.Hosting;

namespace WasmWizard.Executor.Apis;

/// <summary>
/// The executor's internal endpoints, for the api only, through the executor's sidecar (service invocation). The
/// contract is in <see cref="ExecutorProtocol"/>; it is not the public REST surface.
/// </summary>
public static class ExecutorApi
{
    /// <summary>Maps prepare, run and forget.</summary>
    public static RouteGroupBuilder MapExecutorApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var api = app.MapGroup("/").WithTags("Executor (internal)");
        api.MapPost(ExecutorProtocol.PrepareRoute, PrepareModuleAsync)
            .WithName("PrepareModule")
            .WithSummary("Validates and compiles a module (application/wasm) so later runs reuse it.");
        api.MapPost(ExecutorProtocol.RunRoute, RunAsync)
            .WithName("RunModule")
            .WithSummary("Runs a stored or ad-hoc module once (multipart: request, stdin, module).");
        api.MapDelete(ExecutorProtocol.ForgetRoute, ForgetModule)
            .WithName("ForgetModule")
            .WithSummary("Drops the compiled module and its artifact.");
        return api;
    }

    internal static async Task<JsonHttpResult<PreparedModule>> PrepareModuleAsync(
        HttpRequest request, [AsParameters] ExecutorServices services, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            || !type.MediaType.Equals(ExecutorProtocol.WasmMediaType, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidExecutorRequestException(
                $"A module is {ExecutorProtocol.WasmMediaType}.",
                StatusCodes.Status415UnsupportedMediaType,
                ExecutorErrorCodes.UnsupportedMediaType);
        }

        // Size and content are the sandbox's to refuse; the server's body limit bounds what is read.
        var module = await RequestBodies.ReadAllAsync(
            request.Body, limit: null, () => new InvalidOperationException(), cancellationToken);
        var tenant = request.Query[ExecutorProtocol.TenantParameter] is [{ Length: > 0 } named] ? named : null;
        var prepared = await services.Sandbox.PrepareModuleAsync(module, tenant, cancellationToken);
        return TypedResults.Json(prepared, ExecutorProtocol.Json);
    }

    internal static async Task<JsonHttpResult<RunResult>> RunAsync(
        HttpRequest request, [AsParameters] ExecutorServices services, CancellationToken cancellationToken)
    {
        var run = await RunRequestReader.ReadAsync(request, services.Limits, cancellationToken);
        if (run.Tenant is { Length: > 0 } tenant)
        {
            RequestLogContext.SetTenant(request.HttpContext, tenant);
        }

        // The request's token: a caller that leaves (or times out) stops its guest.
        var result = await services.Sandbox.RunAsync(run, cancellationToken);
        return TypedResults.Json(result, ExecutorProtocol.Json);
    }

    internal static NoContent ForgetModule(string sha256, [AsParameters] ExecutorServices services)
    {
        if (!ExecutorProtocol.IsSha256(sha256))
        {
            throw new InvalidExecutorRequestException("A module is named by its lower-case hex SHA-256.");
        }

        services.Sandbox.ForgetModule(sha256);
        return TypedResults.NoContent();
    }
}
