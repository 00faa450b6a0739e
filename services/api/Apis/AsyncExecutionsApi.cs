using System.Buffers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WasmWizard.Api.Auth;
using WasmWizard.Api.Execution;
using WasmWizard.Api.Http;
using WasmWizard.Api.Model;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Execution;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Api.Apis;

/// <summary>
/// Asynchronous executions: submit a run of a stored module and come back for its result. Submissions are checked
/// exactly as a synchronous run is before anything is queued; the run itself goes through the same coordinator.
/// </summary>
public static class AsyncExecutionsApi
{
    /// <summary>The request header that makes a retried submit return the first execution.</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    private const int MaxIdempotencyKeyLength = 200;
    private const int MaxCursorLength = 512;

    /// <summary>Maps <c>POST /api/wasm/modules/{id}/executions</c> and <c>GET /api/executions[/{id}]</c>.</summary>
    public static IEndpointRouteBuilder MapAsyncExecutionsApi(this IEndpointRouteBuilder app)
    {
        var policy = WasmWizardClaims.ScopePolicy(ApiScopes.Execute);
        app.MapGroup("/api/wasm").WithTags("Executions").RequireAuthorization(policy)
            .MapPost("/modules/{id:guid}/executions", SubmitAsync)
            .WithName("SubmitExecution")
            .WithSummary("Queue a run of a stored module; poll its Location for the result");
        var executions = app.MapGroup("/api/executions").WithTags("Executions").RequireAuthorization(policy);
        executions.MapGet("/", ListAsync).WithName("ListExecutions").WithSummary("Your executions, newest first");
        executions.MapGet("/{id:guid}", GetAsync).WithName("GetExecution").WithSummary("Status or result of an execution");
        return app;
    }

    /// <summary>
    /// Takes the body of <c>POST /api/wasm/modules/{id}/execute</c> and answers 202 with the execution's id and a
    /// <c>Location</c>. With an <c>Idempotency-Key</c> already used by the caller, answers with that first execution
    /// (202 while it waits or runs, 200 with its result once completed), or 409 when the module or body differ.
    /// </summary>
    public static async Task<Results<Accepted<ExecutionStatusResponse>, Ok<CompletedExecutionResponse>, ProblemHttpResult>>
        SubmitAsync(
            Guid id,
            HttpRequest request,
            ClaimsPrincipal user,
            IModuleStore modules,
            TierPolicy policy,
            IOptionsMonitor<ApiOptions> options,
            IEventPublisher events,
            TimeProvider time,
            CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (store, queue) = Ports(request.HttpContext);
        var settings = options.CurrentValue;
        var caller = Caller.From(user);
        var idempotencyKey = IdempotencyKey(request);

        // The same checks, in the same order, as the synchronous run: body, module, then the tier's limits.
        ModulesApi.AllowBody(request, settings.MaxJsonBodyBytes);
        var body = await JsonBody.ReadObjectAsync(request, settings.MaxJsonBodyBytes, allowEmpty: true, cancellationToken);
        var run = ExecuteOptionsParser.FromJson(body, settings.MaxInputBytes);
        var module = await ModulesApi.FindVisibleAsync(modules, id, caller, cancellationToken);
        if (module is null)
        {
            return ModulesApi.NotFound();
        }

        var limits = policy.Resolve(caller.Tier, run);
        var job = new ExecutionJob(
            Guid.CreateVersion7(),
            caller.UserId,
            module.Id,
            idempotencyKey,
            RequestHash(module.Id, run),
            new ExecutionJobRequest(
                module.Sha256, module.Name, run.Stdin, run.Args, run.Env, limits, caller.Tier, caller.KeyId,
                caller.KeyPrefix, ResponseHeadersMiddleware.RequestId(request.HttpContext)),
            ExecutionJobStatus.Queued,
            time.GetUtcNow());
        // A tenant's backlog is bounded, so one tenant cannot fill the queue; the store checks it in the same step as
        // the write. A retried submit still finds its first execution, full backlog or not.
        var pendingCap = policy.Limits(caller.Tier).MaxPendingExecutions;
        var (found, created) = pendingCap is { } cap
            ? await store.CreateWithinAsync(job, cap, cancellationToken)
            : await store.CreateAsync(job, cancellationToken);
        if (found is null
            && await CloseAbandonedAsync(store, events, settings, time, caller.UserId, cancellationToken) > 0)
        {
            // Places held by runs a dead worker left behind are free again.
            (found, created) = await store.CreateWithinAsync(job, pendingCap!.Value, cancellationToken);
        }
        if (found is not { } stored)
        {
            request.HttpContext.Response.Headers.RetryAfter = "5";
            return ApiProblems.Create(
                StatusCodes.Status429TooManyRequests, ErrorCodes.ConcurrencyLimited,
                $"The {caller.Tier} tier keeps at most {pendingCap} execution(s) queued or running; retry once some finish.");
        }

        if (!created && stored.RequestHash != job.RequestHash)
        {
            return ApiProblems.Create(
                StatusCodes.Status409Conflict, ErrorCodes.IdempotencyConflict,
                $"The {IdempotencyKeyHeader} was already used for a different module or request body.");
        }

        if (created || stored.Status == ExecutionJobStatus.Queued)
        {
            // A retry of a submit that is still queued announces it again: the first announcement may have been lost
            // (broker down), and a job runs at most once however often it is announced.
            await AnnounceAsync(store, queue, stored, created && idempotencyKey is null, time);
        }

        var location = Location(stored.Id);
        if (stored.Status == ExecutionJobStatus.Completed)
        {
            request.HttpContext.Response.Headers.Location = location;
            return TypedResults.Ok(CompletedExecutionResponse.From(stored));
        }

        return TypedResults.Accepted(location, ExecutionStatusResponse.From(stored));
    }

    /// <summary>The caller's execution: <c>queued</c>, <c>running</c>, or <c>completed</c> with the full result.</summary>
    public static async Task<Results<Ok<ExecutionStatusResponse>, Ok<CompletedExecutionResponse>, ProblemHttpResult>> GetAsync(
        Guid id,
        HttpContext context,
        ClaimsPrincipal user,
        IOptionsMonitor<ApiOptions> options,
        IEventPublisher events,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var (store, _) = Ports(context);
        var tenant = Caller.From(user).UserId;
        var job = await store.GetAsync(tenant, id, cancellationToken);
        if (job is not null && await AbandonedExecutions.CloseIfAbandonedAsync(job, options.CurrentValue, store, events, time))
        {
            job = await store.GetAsync(tenant, id, cancellationToken);
        }

        if (job is null)
        {
            return ApiProblems.Create(StatusCodes.Status404NotFound, ErrorCodes.NotFound, "No such execution.");
        }

        return job.Status == ExecutionJobStatus.Completed
            ? TypedResults.Ok(CompletedExecutionResponse.From(job))
            : TypedResults.Ok(ExecutionStatusResponse.From(job));
    }

    /// <summary>
    /// The caller's executions, newest first; query <c>module_id</c>, <c>outcome</c>, <c>limit</c> and <c>cursor</c> (the
    /// previous page's <c>next_cursor</c>).
    /// </summary>
    public static async Task<Ok<ExecutionListResponse>> ListAsync(
        HttpRequest request, ClaimsPrincipal user, IOptionsMonitor<ApiOptions> options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (store, _) = Ports(request.HttpContext);
        var settings = options.CurrentValue;
        var outcome = QueryValues.Text(request, "outcome", 32);
        if (outcome is not null && !ExecutionOutcome.All.Contains(outcome, StringComparer.Ordinal))
        {
            // An unknown outcome matches nothing; an empty list would pass a typo off as "none of those".
            throw new ApiProblemException(
                StatusCodes.Status400BadRequest, ErrorCodes.InvalidQuery,
                $"The outcome must be one of {string.Join(", ", ExecutionOutcome.All)}.");
        }

        var query = new ExecutionJobQuery(
            Caller.From(user).UserId,
            QueryValues.Guid(request, "module_id"),
            outcome,
            QueryValues.Int32(request, "limit", settings.DefaultPageSize, 1, settings.MaxPageSize),
            QueryValues.Text(request, "cursor", MaxCursorLength));
        ExecutionJobPage page;
        try
        {
            page = await store.ListAsync(query, cancellationToken);
        }
        catch (ArgumentException)
        {
            throw new ApiProblemException(
                StatusCodes.Status400BadRequest, ErrorCodes.InvalidCursor,
                "The cursor is not one this service handed out; start again without it.");
        }

        return TypedResults.Ok(new ExecutionListResponse(
            page.Jobs.Select(ExecutionSummaryResponse.From).ToList(), page.NextCursor));
    }

    private static string Location(Guid id) => "/api/executions/" + id;

    // Closes the tenant's executions a dead worker left running (see AbandonedExecutions); returns how many. Only
    // looked for when the backlog is full, which is when they hurt: they hold its places.
    private static async Task<int> CloseAbandonedAsync(
        IExecutionJobStore store, IEventPublisher events, ApiOptions settings, TimeProvider time, Guid tenant,
        CancellationToken cancellationToken)
    {
        var closed = 0;
        string? cursor = null;
        do
        {
            var page = await store.ListAsync(new ExecutionJobQuery(tenant, null, null, 100, cursor), cancellationToken);
            foreach (var summary in page.Jobs.Where(j => j.Status == ExecutionJobStatus.Running))
            {
                if (await store.GetAsync(tenant, summary.Id, cancellationToken) is { } job
                    && await AbandonedExecutions.CloseIfAbandonedAsync(job, settings, store, events, time))
                {
                    closed++;
                }
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return closed;
    }

    private static async Task AnnounceAsync(
        IExecutionJobStore store, IExecutionQueue queue, ExecutionJob job, bool unreachable, TimeProvider time)
    {
        try
        {
            await queue.EnqueueAsync(job, CancellationToken.None);
        }
        catch (DependencyUnavailableException) when (unreachable)
        {
            // Without an Idempotency-Key the caller cannot come back to this job (the 503 names none), so it must not
            // stay queued and count against the backlog for ever. With one, it stays queued for the retry to announce.
            // A publish that timed out may still have reached the broker: claimed first, so a job an executor already
            // took is left to it (and the caller told so) instead of being reported as not run while it runs.
            if (!await store.TryMarkRunningAsync(job.Id, time.GetUtcNow(), CancellationToken.None))
            {
                return;
            }

            var result = new RunResult(
                ExecutionOutcome.Rejected, null, null, "The execution could not be queued; it did not run.", [], false, [],
                false, 0, null);
            await store.CompleteAsync(job.Id, result, time.GetUtcNow(), CancellationToken.None);
            throw;
        }
    }

    // Resolved per request rather than injected: a host without them still starts and answers 501 here instead of
    // failing to build its endpoints.
    private static (IExecutionJobStore Store, IExecutionQueue Queue) Ports(HttpContext context)
    {
        var services = context.RequestServices;
        if (services.GetService<IExecutionJobStore>() is { } store && services.GetService<IExecutionQueue>() is { } queue)
        {
            return (store, queue);
        }

        throw new ApiProblemException(
            StatusCodes.Status501NotImplemented, ErrorCodes.NotImplemented,
            "Asynchronous executions are not available in this deployment yet; run the module with "
            + "POST /api/wasm/modules/{id}/execute instead.");
    }

    private static string? IdempotencyKey(HttpRequest request)
    {
        if (!request.Headers.TryGetValue(IdempotencyKeyHeader, out var values))
        {
            return null;
        }

        var key = values.Count == 1 ? values[0] : null;
        if (key is null || key.Length is 0 or > MaxIdempotencyKeyLength || key.Any(c => c is < ' ' or > '~'))
        {
            throw new ApiProblemException(
                StatusCodes.Status400BadRequest, ErrorCodes.InvalidHeader,
                $"{IdempotencyKeyHeader} must be one value of 1 to {MaxIdempotencyKeyLength} printable ASCII characters.");
        }

        return key;
    }

    // What makes two submits "the same request": the module and every run option as asked (not as resolved, so a
    // retry after a tier change is still recognised), written canonically so the JSON's formatting does not count.
    private static string RequestHash(Guid moduleId, ExecuteOptions run)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("module_id", moduleId);
            writer.WriteBase64String("stdin", run.Stdin);
            writer.WriteStartArray("args");
            foreach (var arg in run.Args)
            {
                writer.WriteStringValue(arg);
            }

            writer.WriteEndArray();
            writer.WriteStartArray("env");

            // A JSON object's members have no order: a client that rebuilds its body from a map sends the same request.
            foreach (var (name, value) in run.Env.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                writer.WriteStartArray();
                writer.WriteStringValue(name);
                writer.WriteStringValue(value);
                writer.WriteEndArray();
            }

            writer.WriteEndArray();
            WriteNumber(writer, "timeout_ms", run.TimeoutMs);
            WriteNumber(writer, "memory_limit_mb", run.MemoryLimitMb);
            if (run.Fuel is { } fuel)
            {
                writer.WriteNumber("fuel", fuel);
            }
            else
            {
                writer.WriteNull("fuel");
            }

            writer.WriteEndObject();
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    private static void WriteNumber(Utf8JsonWriter writer, string name, int? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
