using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Dapr;

namespace WasmWizard.Executor.Hosting;

/// <summary>
/// Answers every exception of the internal endpoints with a problem whose type and code let the api rebuild the
/// exception the embedded executor would have thrown (<see cref="ExecutorProblemTypes"/>). Anything unexpected is a
/// 500 whose details stay in this log.
/// </summary>
/// <remarks>
/// A refusal the caller caused (a module or run refused, a tenant over its share, a module whose bytes are gone)
/// is answered 200 with the problem body (<see cref="ExecutorProtocol.RefusalStatus"/>): the api's sidecar counts
/// every other answer against the executor's circuit breaker, so a few bad uploads by one user would otherwise cut
/// every user off. The problem's own <c>status</c> member keeps the status the refusal means.
/// </remarks>
internal sealed class ExecutorExceptionHandler(
    IProblemDetailsService problems, ILogger<ExecutorExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(
        HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            // The caller left (and the guest with it); there is nobody to answer.
            return true;
        }

        var problem = Describe(exception);
        if (problem.Status == StatusCodes.Status500InternalServerError)
        {
            Log.UnhandledError(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
        }

        if (problem.RetryAfter is { } retryAfter)
        {
            httpContext.Response.Headers.RetryAfter =
                Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        httpContext.Response.StatusCode = problem.CallerCaused ? ExecutorProtocol.RefusalStatus : problem.Status;
        var details = new ProblemDetails
        {
            Type = problem.Type,
            Title = ReasonPhrases.GetReasonPhrase(problem.Status),
            Status = problem.Status,
            Detail = problem.Detail,
            Extensions = { [ExecutorProtocol.CodeMember] = problem.Code },
        };
        if (exception is DependencyUnavailableException unavailable)
        {
            details.Extensions[ExecutorProtocol.DependencyMember] = unavailable.Dependency;
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = details,
            Exception = exception,
        }).ConfigureAwait(false);
    }

    /// <summary>The type and code of a problem the framework writes itself (no route, no token, ...).</summary>
    public static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var status = problem.Status ?? context.HttpContext.Response.StatusCode;
        if (!ExecutorProblemTypes.IsExecutorType(problem.Type))
        {
            (problem.Type, var code) = status switch
            {
                StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden =>
                    (ExecutorProblemTypes.Unauthorized, ExecutorErrorCodes.Unauthorized),
                StatusCodes.Status404NotFound or StatusCodes.Status405MethodNotAllowed =>
                    (ExecutorProblemTypes.InvalidRequest, ExecutorErrorCodes.NotFound),
                StatusCodes.Status413PayloadTooLarge => (ExecutorProblemTypes.TooLarge, ExecutorErrorCodes.PayloadTooLarge),
                < 500 => (ExecutorProblemTypes.InvalidRequest, ExecutorErrorCodes.InvalidRequest),
                _ => (ExecutorProblemTypes.Internal, ExecutorErrorCodes.InternalError),
            };
            problem.Extensions.TryAdd(ExecutorProtocol.CodeMember, code);
        }
    }

    private static Problem Describe(Exception exception) => exception switch
    {
        ModuleRejectedException { Code: ModuleRejectionCodes.ModuleTooLarge } e => Refusal(
            StatusCodes.Status413PayloadTooLarge, ExecutorProblemTypes.ModuleRejected, e.Code, e.Message),
        ModuleRejectedException { Code: ModuleRejectionCodes.CompileTimeout } e => Refusal(
            StatusCodes.Status422UnprocessableEntity, ExecutorProblemTypes.ModuleRejected, e.Code, e.Message),
        ModuleRejectedException e => Refusal(
            StatusCodes.Status400BadRequest, ExecutorProblemTypes.ModuleRejected, e.Code, e.Message),
        RunRequestRejectedException { Code: "input_too_large" } e => Refusal(
            StatusCodes.Status413PayloadTooLarge, ExecutorProblemTypes.RunRejected, e.Code, e.Message),
        RunRequestRejectedException e => Refusal(
            StatusCodes.Status400BadRequest, ExecutorProblemTypes.RunRejected, e.Code, e.Message),
        ExecutorBusyException { TenantShareSpent: true } e => Refusal(
            StatusCodes.Status429TooManyRequests, ExecutorProblemTypes.Busy, ExecutorErrorCodes.ConcurrencyLimited,
            e.Message, e.RetryAfter),
        ModuleBytesMissingException e => Refusal(
            StatusCodes.Status404NotFound, ExecutorProblemTypes.ModuleNotFound, ExecutorErrorCodes.ModuleNotFound,
            e.Message),

        // The executor's own state: its load, its store, requests no api sends. These may count against it.
        ExecutorBusyException e => new(
            StatusCodes.Status503ServiceUnavailable, ExecutorProblemTypes.Busy, ExecutorErrorCodes.ExecutorBusy,
            e.Message, e.RetryAfter),
        DependencyUnavailableException e => new(
            StatusCodes.Status503ServiceUnavailable, ExecutorProblemTypes.DependencyUnavailable,
            ExecutorErrorCodes.DependencyUnavailable, e.Message, e.RetryAfter),
        InvalidExecutorRequestException e => new(e.Status, ExecutorProblemTypes.InvalidRequest, e.Code, e.Message),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => new(
            StatusCodes.Status413PayloadTooLarge, ExecutorProblemTypes.TooLarge, ExecutorErrorCodes.PayloadTooLarge,
            "The request body is larger than the executor accepts."),
        BadHttpRequestException e => new(
            e.StatusCode, ExecutorProblemTypes.InvalidRequest, ExecutorErrorCodes.InvalidRequest,
            "The request is malformed."),
        _ => new(
            StatusCodes.Status500InternalServerError, ExecutorProblemTypes.Internal, ExecutorErrorCodes.InternalError,
            "The executor failed to handle the request."),
    };

    private static Problem Refusal(int status, string type, string code, string detail, TimeSpan? retryAfter = null) =>
        new(status, type, code, detail, retryAfter, CallerCaused: true);

    private sealed record Problem(
        int Status, string Type, string Code, string Detail, TimeSpan? RetryAfter = null, bool CallerCaused = false);
}
