using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using WasmWizard.Api.Apis;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Api.Http;

/// <summary>
/// Refuses a synchronous execution at the front of the pipeline, before authentication, when the executor in this
/// process has no free slot: the same 503 <c>executor_busy</c> with <c>Retry-After</c> the run would get, for a
/// fraction of the CPU. Under overload most requests are refused; when a refusal costs as much as authenticating
/// the caller and reading the body, the refusals take the CPU the runs need. Only the embedded host's executor
/// can tell (<see cref="IExecutorAdmission"/>); elsewhere this passes every request on.
/// </summary>
public sealed class ExecutorSheddingMiddleware(RequestDelegate next, IExecutorClient executor)
{
    private readonly IExecutorAdmission? _admission = executor as IExecutorAdmission;

    /// <summary>Answers 503 at once for an execution that could not get a slot now; else hands the request on.</summary>
    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_admission?.RefusalForAnyone() is { } busy && IsSynchronousExecution(context))
        {
            // A full executor says so to anyone, credentials or not: it tells no more than that it is busy.
            return ExecutorRefusals.Answer(context.Response, busy).ExecuteAsync(context);
        }

        return next(context);
    }

    private static bool IsSynchronousExecution(HttpContext context) =>
        HttpMethods.IsPost(context.Request.Method)
        && context.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName
            is ExecutionsApi.ExecuteModuleName or ExecutionsApi.ExecuteAdHocName;
}
