using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Dapr.State;

namespace WasmWizard.Api.Http;

/// <summary>
/// Turns every exception that escapes an endpoint into a problem response. Known refusals keep their status and
/// code; anything else is a 500 whose details stay in the server log.
/// </summary>
public sealed class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger)
    : IExceptionHandler
{
    /// <inheritdoc />
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            // The client left; there is nobody to answer.
            return true;
        }

        var (status, code, message) = Map(exception);
        if (status == StatusCodes.Status500InternalServerError)
        {
            Log.UnhandledError(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
        }

        if (exception is ApiProblemException { Status: StatusCodes.Status429TooManyRequests })
        {
            httpContext.Response.Headers.RetryAfter = "1";
        }

        if (exception is ExecutorBusyException busy)
        {
            ExecutorRefusals.SetRetryAfter(httpContext.Response, busy);
        }

        if (exception is StateConcurrencyException)
        {
            // Many writers on one record (a burst of submits by one tenant): the next try will likely get through.
            httpContext.Response.Headers.RetryAfter = "1";
        }

        if (exception is DependencyUnavailableException unavailable)
        {
            // Worth a warning (an operator should know), not an error with a stack: the caller is told to retry.
            Log.DependencyUnavailable(logger, unavailable.InnerException ?? unavailable, unavailable.Dependency);
            httpContext.Response.Headers.RetryAfter =
                Math.Max(1, (int)Math.Ceiling(unavailable.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = ApiProblems.Details(status, code, message),
            Exception = exception,
        }).ConfigureAwait(false);
    }

    private static (int Status, string Code, string Message) Refusal(ExecutorBusyException busy)
    {
        var (status, code) = ExecutorRefusals.StatusOf(busy);
        return (status, code, busy.Message);
    }

    private static (int Status, string Code, string Message) Map(Exception exception) => exception switch
    {
        ApiProblemException problem => (problem.Status, problem.Code, problem.Message),
        ModuleRejectedException { Code: ModuleRejectionCodes.ModuleTooLarge } rejected =>
            (StatusCodes.Status413PayloadTooLarge, rejected.Code, rejected.Message),
        ModuleRejectedException { Code: ModuleRejectionCodes.CompileTimeout } rejected =>
            (StatusCodes.Status422UnprocessableEntity, rejected.Code, rejected.Message),
        ModuleRejectedException rejected => (StatusCodes.Status400BadRequest, rejected.Code, rejected.Message),
        RunRequestRejectedException { Code: "input_too_large" } rejected =>
            (StatusCodes.Status413PayloadTooLarge, rejected.Code, rejected.Message),
        RunRequestRejectedException rejected => (StatusCodes.Status400BadRequest, rejected.Code, rejected.Message),
        DependencyUnavailableException unavailable =>
            (StatusCodes.Status503ServiceUnavailable, ErrorCodes.DependencyUnavailable, unavailable.Message),
        ExecutorBusyException busy => Refusal(busy),
        StateConcurrencyException => (StatusCodes.Status503ServiceUnavailable, ErrorCodes.DependencyUnavailable,
            "The store is busy with concurrent changes to the same records; retry shortly."),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            (StatusCodes.Status413PayloadTooLarge, ErrorCodes.PayloadTooLarge, "The request body is larger than allowed."),
        BadHttpRequestException bad => (bad.StatusCode, ApiProblems.DefaultCode(bad.StatusCode), "The request is malformed."),
        JsonException => (StatusCodes.Status400BadRequest, ErrorCodes.InvalidJson, "The request body is not valid JSON."),
        _ => (StatusCodes.Status500InternalServerError, ErrorCodes.InternalError, "The server failed to handle the request."),
    };
}
