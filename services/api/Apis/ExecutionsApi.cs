using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using WasmWizard.Api.Auth;
using WasmWizard.Api.Execution;
using WasmWizard.Api.Http;
using WasmWizard.Api.Model;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Api.Apis;

/// <summary>Run a stored module by id, or an ad-hoc module in one call.</summary>
public static class ExecutionsApi
{
    /// <summary>The endpoint name of a stored module's synchronous execution.</summary>
    public const string ExecuteModuleName = "ExecuteModule";

    /// <summary>The endpoint name of an upload-and-run execution.</summary>
    public const string ExecuteAdHocName = "ExecuteAdHoc";

    /// <summary>Maps the execution routes under <c>/api/wasm</c>.</summary>
    public static IEndpointRouteBuilder MapExecutionsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/wasm").WithTags("Executions")
            .RequireAuthorization(WasmWizardClaims.ScopePolicy(ApiScopes.Execute));
        api.MapPost("/modules/{id:guid}/execute", ExecuteStoredAsync)
            .WithName(ExecuteModuleName)
            .WithSummary("Run a stored module with stdin, args and env");
        api.MapPost("/execute", ExecuteAdHocAsync)
            .WithName(ExecuteAdHocName)
            .WithSummary("Upload and run a module in one call (multipart wasm + input)");
        return app;
    }

    /// <summary>
    /// JSON <c>input</c> or <c>input_base64</c>, <c>args</c>, <c>env</c>, <c>timeout_ms</c>, <c>memory_limit_mb</c>,
    /// <c>fuel</c>.
    /// </summary>
    public static async Task<Results<Ok<ExecutionResponse>, UnprocessableEntity<ExecutionResponse>, ProblemHttpResult>> ExecuteStoredAsync(
        Guid id,
        HttpRequest request,
        ClaimsPrincipal user,
        IModuleStore modules,
        ExecutionCoordinator coordinator,
        IOptionsMonitor<ApiOptions> options,
        CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var caller = Caller.From(user);
        // Both refusals come before the body is read and the module looked up: under overload, refusing is most
        // of the work, and it should cost little.
        using var slot = await coordinator.EnterAsync(caller);
        if (coordinator.RefusalFor(caller) is { } busy)
        {
            return ExecutorRefusals.Answer(request.HttpContext.Response, busy);
        }

        ModulesApi.AllowBody(request, settings.MaxJsonBodyBytes);
        var body = await JsonBody.ReadObjectAsync(request, settings.MaxJsonBodyBytes, allowEmpty: true, cancellationToken);
        var run = ExecuteOptionsParser.FromJson(body, settings.MaxInputBytes);
        var module = await ModulesApi.FindVisibleAsync(modules, id, caller, cancellationToken);
        if (module is null)
        {
            return ModulesApi.NotFound();
        }

        var attempt = await coordinator.RunEnteredAsync(
            caller, module.Id, module.Sha256, null, module.Name, run, cancellationToken);
        return Answer(request.HttpContext.Response, attempt);
    }

    /// <summary>Multipart <c>wasm</c> (file) and <c>input</c>, optionally <c>args</c>, <c>env</c> (JSON) and limits.</summary>
    public static async Task<Results<Ok<ExecutionResponse>, UnprocessableEntity<ExecutionResponse>, ProblemHttpResult>> ExecuteAdHocAsync(
        HttpRequest request,
        ClaimsPrincipal user,
        ExecutionCoordinator coordinator,
        IOptionsMonitor<ApiOptions> options,
        CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var caller = Caller.From(user);
        using var slot = await coordinator.EnterAsync(caller);
        if (coordinator.RefusalFor(caller) is { } busy)
        {
            return ExecutorRefusals.Answer(request.HttpContext.Response, busy);
        }

        ModulesApi.AllowBody(request, settings.MaxModuleBytes + settings.MaxInputBytes + (settings.MaxFieldBytes * 4L));
        var form = await MultipartFormReader.ReadAsync(
            request,
            settings.MaxMultipartParts,
            field => field switch
            {
                "wasm" => (settings.MaxModuleBytes, ModuleRejectionCodes.ModuleTooLarge),
                "input" => (settings.MaxInputBytes, ErrorCodes.InputTooLarge),
                _ => (settings.MaxFieldBytes, ErrorCodes.PayloadTooLarge),
            },
            cancellationToken);

        var wasm = ModulesApi.RequireModulePart(form);
        var run = ExecuteOptionsParser.FromForm(form, settings.MaxInputBytes);
        var sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(wasm.Content));
        var attempt = await coordinator.RunEnteredAsync(
            caller, null, sha256, wasm.Content, ModuleNames.FromFileName(wasm.FileName), run, cancellationToken);
        return Answer(request.HttpContext.Response, attempt);
    }

    private static Results<Ok<ExecutionResponse>, UnprocessableEntity<ExecutionResponse>, ProblemHttpResult> Answer(
        HttpResponse http, ExecutionAttempt attempt) => attempt switch
    {
        { Refusal: { } busy } => ExecutorRefusals.Answer(http, busy),
        { Response: { Outcome: ExecutionOutcome.Exited, ExitCode: 0 } response } => TypedResults.Ok(response),
        { Response: { } response } => TypedResults.UnprocessableEntity(response),
        _ => throw new InvalidOperationException("An execution attempt holds neither an answer nor a refusal."),
    };
}
