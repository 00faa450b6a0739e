using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WasmWizard.Shared.Execution;
using WasmWizard.Api.Audit;
using WasmWizard.Api.Auth;
using WasmWizard.Api.Execution;
using WasmWizard.Api.Http;
using WasmWizard.Api.Model;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Api.Apis;

/// <summary>Upload, list, show and delete modules.</summary>
public static class ModulesApi
{
    private const int MaxDescriptionLength = 1024;

    /// <summary>Maps the module routes under <c>/api/wasm</c>.</summary>
    public static IEndpointRouteBuilder MapModulesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/wasm").WithTags("Modules");
        var upload = WasmWizardClaims.ScopePolicy(ApiScopes.Upload);
        api.MapPost("/upload", UploadAsync).RequireAuthorization(upload)
            .WithName("UploadModule").WithSummary("Upload a WASI command module");
        api.MapGet("/modules", ListAsync).RequireAuthorization(WasmWizardClaims.ReadModulesPolicy)
            .WithName("ListModules").WithSummary("List your modules (and public ones)");
        api.MapGet("/modules/{id:guid}", GetAsync).RequireAuthorization(WasmWizardClaims.ReadModulesPolicy)
            .WithName("GetModule").WithSummary("Show one module");
        api.MapDelete("/modules/{id:guid}", DeleteAsync).RequireAuthorization(upload)
            .WithName("DeleteModule").WithSummary("Delete one of your modules");
        return app;
    }

    /// <summary>Multipart <c>wasm</c> (file), <c>name</c>, <c>description</c>, <c>is_public</c>.</summary>
    public static async Task<Created<ModuleResponse>> UploadAsync(
        HttpRequest request,
        ClaimsPrincipal user,
        IExecutorClient executor,
        IModuleStore modules,
        TierPolicy tiers,
        [FromKeyedServices(TenantConcurrency.Uploads)] TenantConcurrency uploads,
        IOptionsMonitor<ApiOptions> options,
        AuditRecorder audit,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var caller = Caller.From(user);
        var limits = tiers.Limits(caller.Tier);

        // Both checks come before the body is read: a refused upload costs neither memory nor a compile.
        using var slot = uploads.TryEnter(caller.UserId, limits.MaxConcurrentUploads) ?? throw new ApiProblemException(
            StatusCodes.Status429TooManyRequests,
            ErrorCodes.ConcurrencyLimited,
            $"The {caller.Tier} tier uploads at most {limits.MaxConcurrentUploads} module(s) at once; wait for one to finish.");
        var usage = await modules.GetUsageAsync(caller.UserId, cancellationToken);
        CheckQuota(caller.Tier, limits, usage, incomingBytes: 0);

        AllowBody(request, settings.MaxModuleBytes + (settings.MaxFieldBytes * 4L));
        var form = await MultipartFormReader.ReadAsync(
            request,
            settings.MaxMultipartParts,
            field => field == "wasm"
                ? (settings.MaxModuleBytes, ModuleRejectionCodes.ModuleTooLarge)
                : (settings.MaxFieldBytes, ErrorCodes.PayloadTooLarge),
            cancellationToken);

        var wasm = RequireModulePart(form);
        var name = form.Field("name") is { } given ? ModuleNames.Validate(given) : ModuleNames.FromFileName(wasm.FileName);
        var description = Description(form.Field("description"));
        var isPublic = false;
        if (form.Field("is_public") is { } flag && !TextValues.TryParseBoolean(flag, out isPublic))
        {
            throw new ApiProblemException(
                StatusCodes.Status400BadRequest, ErrorCodes.InvalidField, "The field 'is_public' must be true or false.");
        }

        CheckQuota(caller.Tier, limits, usage, wasm.Content.Length);
        var prepared = await executor.PrepareModuleAsync(wasm.Content, caller.UserId.ToString(), cancellationToken);
        var record = new ModuleRecord(
            Guid.CreateVersion7(), caller.UserId, name, description, isPublic, prepared.Sha256, prepared.SizeBytes, time.GetUtcNow());
        await modules.AddAsync(record, wasm.Content, cancellationToken);
        await audit.RecordAsync(
            AuditEventTypes.ModuleUploaded,
            details: new Dictionary<string, string>
            {
                ["module_sha256"] = record.Sha256,
                ["size_bytes"] = record.SizeBytes.ToString(CultureInfo.InvariantCulture),
                ["is_public"] = record.IsPublic ? "true" : "false",
            },
            subject: "module:" + record.Id);
        return TypedResults.Created($"/api/wasm/modules/{record.Id}", ModuleResponse.From(record, caller.UserId));
    }

    /// <summary>Query <c>page</c> (from 1), <c>limit</c>, <c>include_public</c>.</summary>
    public static async Task<Ok<ModuleListResponse>> ListAsync(
        HttpRequest request,
        ClaimsPrincipal user,
        IModuleStore modules,
        IOptionsMonitor<ApiOptions> options,
        CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var caller = Caller.From(user);
        var page = QueryValues.Int32(request, "page", 1, 1, 1_000_000);
        var limit = QueryValues.Int32(request, "limit", settings.DefaultPageSize, 1, settings.MaxPageSize);
        var includePublic = QueryValues.Boolean(request, "include_public", false);

        var result = await modules.ListAsync(caller.UserId, includePublic, (page - 1) * limit, limit, cancellationToken);
        return TypedResults.Ok(new ModuleListResponse(
            result.Items.Select(m => ModuleResponse.From(m, caller.UserId)).ToList(),
            page,
            limit,
            result.Total,
            (long)page * limit < result.Total));
    }

    /// <summary>One module the caller owns, or a public one.</summary>
    public static async Task<Results<Ok<ModuleResponse>, ProblemHttpResult>> GetAsync(
        Guid id, ClaimsPrincipal user, IModuleStore modules, CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        var module = await FindVisibleAsync(modules, id, caller, cancellationToken);
        return module is null ? NotFound() : TypedResults.Ok(ModuleResponse.From(module, caller.UserId));
    }

    /// <summary>Deletes a module the caller owns.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid id,
        ClaimsPrincipal user,
        IModuleStore modules,
        IExecutorClient executor,
        AuditRecorder audit,
        CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        var module = await modules.GetAsync(id, cancellationToken);
        if (module is null || module.OwnerId != caller.UserId)
        {
            return NotFound();
        }

        // The compiled artifact holds the module's data segments, so it goes first: when the executor cannot be
        // reached the answer is 503 and nothing is deleted, and a retry finds the module still there. Another module
        // with the same content only pays a recompile on its next run.
        await executor.ForgetModuleAsync(module.Sha256, CancellationToken.None);
        var deleted = await modules.DeleteAsync(caller.UserId, id, cancellationToken);
        if (deleted is null)
        {
            return NotFound();
        }

        await audit.RecordAsync(
            AuditEventTypes.ModuleDeleted,
            details: new Dictionary<string, string> { ["module_sha256"] = deleted.Sha256 },
            subject: "module:" + id);
        return TypedResults.NoContent();
    }

    /// <summary>A module the caller may see and run: their own, or a public one. Others' private modules do not exist.</summary>
    public static async Task<ModuleRecord?> FindVisibleAsync(
        IModuleStore modules, Guid id, Caller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modules);
        ArgumentNullException.ThrowIfNull(caller);
        var module = await modules.GetAsync(id, cancellationToken);
        return module is not null && (module.OwnerId == caller.UserId || module.IsPublic) ? module : null;
    }

    /// <summary>The 404 for a module that is missing or not the caller's.</summary>
    public static ProblemHttpResult NotFound() =>
        ApiProblems.Create(StatusCodes.Status404NotFound, ErrorCodes.NotFound, "No such module.");

    /// <summary>The <c>wasm</c> file part, required and non-empty.</summary>
    public static MultipartFile RequireModulePart(MultipartForm form)
    {
        ArgumentNullException.ThrowIfNull(form);
        var wasm = form.File("wasm") ?? throw new ApiProblemException(
            StatusCodes.Status400BadRequest, ErrorCodes.InvalidField, "The form needs a file part named 'wasm'.");
        return wasm.Content.Length > 0
            ? wasm
            : throw new ApiProblemException(StatusCodes.Status400BadRequest, ErrorCodes.InvalidField, "The 'wasm' part is empty.");
    }

    /// <summary>Lets this request's body be as large as the endpoint needs (Kestrel's default is smaller or larger).</summary>
    public static void AllowBody(HttpRequest request, long maxBytes)
    {
        ArgumentNullException.ThrowIfNull(request);
        var feature = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false })
        {
            feature.MaxRequestBodySize = maxBytes;
        }

        if (request.ContentLength > maxBytes)
        {
            throw new ApiProblemException(
                StatusCodes.Status413PayloadTooLarge, ErrorCodes.PayloadTooLarge, $"The request body is larger than {maxBytes} bytes.");
        }
    }

    private static string? Description(string? description)
    {
        if (description is null)
        {
            return null;
        }

        if (description.Length > MaxDescriptionLength || description.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
        {
            throw new ApiProblemException(
                StatusCodes.Status400BadRequest, ErrorCodes.InvalidField,
                $"The description must be at most {MaxDescriptionLength} characters of text.");
        }

        return description;
    }

    /// <summary>
    /// Refuses an upload that would take the tenant past its tier's stored-module quota. Concurrent uploads of one
    /// tenant can each pass the check, so the quota can be passed by at most the tier's upload concurrency.
    /// </summary>
    private static void CheckQuota(string tier, TierLimits limits, ModuleUsage usage, long incomingBytes)
    {
        if (limits.MaxModules is { } maxModules && usage.Modules >= maxModules)
        {
            throw new ApiProblemException(
                StatusCodes.Status403Forbidden,
                ErrorCodes.QuotaExceeded,
                $"The {tier} tier keeps at most {maxModules} modules; delete one first.");
        }

        if (limits.MaxStoredMb is { } maxMb && usage.Bytes + Math.Max(1, incomingBytes) > maxMb * 1024 * 1024)
        {
            throw new ApiProblemException(
                StatusCodes.Status403Forbidden,
                ErrorCodes.QuotaExceeded,
                $"The {tier} tier keeps at most {maxMb} MiB of modules; {usage.Bytes} bytes are stored. Delete one first.");
        }
    }
}
