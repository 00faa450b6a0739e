using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using WasmWizard.Shared.Contracts;

namespace WasmWizard.Shared.Dapr;

/// <summary>
/// Reads what came back from a call to the executor. A problem of the executor's own (<see cref="ExecutorProblemTypes"/>)
/// becomes the exception the embedded executor would have thrown; anything else came from a sidecar on the way
/// (daprd answers a failed invocation with 500 <c>ERR_DIRECT_INVOKE</c>) and means the executor cannot be used now.
/// </summary>
internal static class ExecutorAnswers
{
    private const string ProblemMediaType = "application/problem+json";
    private const string JsonMediaType = "application/json";
    private static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(1);

    /// <summary>Whether an answer is a problem, which a successful status makes a refusal the caller caused.</summary>
    public static bool IsRefusal(HttpResponseMessage response) =>
        response.Content.Headers.ContentType?.MediaType == ProblemMediaType;

    /// <summary>The JSON body of a successful answer.</summary>
    public static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentType?.MediaType != JsonMediaType)
        {
            throw new InvalidOperationException(
                $"The executor answered {(int)response.StatusCode} without JSON; is {DaprNames.ExecutorAppId} the executor?");
        }

        try
        {
            return await response.Content.ReadFromJsonAsync<T>(ExecutorProtocol.Json, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException("The executor answered null.");
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException("The executor's answer does not have the expected shape.", e);
        }
    }

    /// <summary>The exception an unsuccessful answer stands for.</summary>
    /// <param name="response">The answer.</param>
    /// <param name="carriesModule">Whether the request held a module, so a body too large was the module.</param>
    /// <param name="sha256">The module a run named, or null.</param>
    /// <param name="logger">Where a sidecar's body limit that is too low is reported.</param>
    /// <param name="cancellationToken">Ends reading the body.</param>
    public static async Task<Exception> RefusalAsync(
        HttpResponseMessage response,
        bool carriesModule,
        string? sha256,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        var status = response.StatusCode;
        var retryAfter = response.Headers.RetryAfter?.Delta;
        using var body = await ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
        var root = body?.RootElement;
        var type = Text(root, "type");
        if (IsRefusal(response) && ExecutorProblemTypes.IsExecutorType(type))
        {
            var problem = new ProblemFields(
                type!,
                Text(root, ExecutorProtocol.CodeMember) ?? "",
                Text(root, "detail") ?? "",
                Text(root, ExecutorProtocol.DependencyMember));
            return FromProblem(problem, retryAfter, carriesModule, sha256);
        }

        if ((int)status == ExecutorProtocol.RefusalStatus)
        {
            // A successful call with a problem body that is not ours: nothing the caller can act on.
            return new InvalidOperationException("The executor answered a problem of an unknown type.");
        }

        if (status == HttpStatusCode.RequestEntityTooLarge)
        {
            // Only a sidecar refuses a body without saying why in our terms: its maxBodySize is below what the
            // executor accepts, which an operator must fix.
            var size = response.RequestMessage?.Content?.Headers.ContentLength ?? -1;
            Log.ExecutorRequestTooLargeForSidecar(logger, size, ExecutorProtocol.RecommendedSidecarMaxBodySize);
            return TooLarge(carriesModule, "The request is larger than the service's internal transport accepts.");
        }

        var errorCode = Text(root, "errorCode");
        var reason = status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
            ? "the api's sidecar refused the call: is DAPR_API_TOKEN the same for the api and its sidecar?"
            : $"service invocation answered {(int)status} {errorCode ?? "without an error code"}: {Text(root, "message")}";
        return new DependencyUnavailableException("executor", new HttpRequestException(reason, null, status));
    }

    private static Exception FromProblem(
        ProblemFields problem, TimeSpan? retryAfter, bool carriesModule, string? sha256) => problem.Type switch
    {
        ExecutorProblemTypes.ModuleRejected => new ModuleRejectedException(problem.Code, problem.Detail),
        ExecutorProblemTypes.RunRejected => new RunRequestRejectedException(problem.Code, problem.Detail),
        ExecutorProblemTypes.Busy => new ExecutorBusyException(
            retryAfter ?? DefaultRetryAfter,
            tenantShareSpent: problem.Code == ExecutorErrorCodes.ConcurrencyLimited,
            message: string.IsNullOrWhiteSpace(problem.Detail) ? null : problem.Detail),
        ExecutorProblemTypes.DependencyUnavailable => new DependencyUnavailableException(
            IsPlainName(problem.Dependency) ? problem.Dependency! : "executor",
            new HttpRequestException(problem.Detail),
            retryAfter),
        ExecutorProblemTypes.Unauthorized => new DependencyUnavailableException(
            "executor",
            new HttpRequestException(
                "The executor refused its caller: is APP_API_TOKEN the same for the executor and its sidecar, or, "
                + "without one, does the sidecar reach the executor over loopback?")),
        ExecutorProblemTypes.TooLarge => TooLarge(carriesModule, problem.Detail),

        // The embedded executor throws the same; the hash comes from our own request, not from the answer.
        ExecutorProblemTypes.ModuleNotFound when sha256 is not null => new ModuleBytesMissingException(sha256),

        // A malformed request or a bug: neither is the caller's doing.
        _ => new InvalidOperationException($"The executor refused the request ({problem.Code}): {problem.Detail}"),
    };

    private static Exception TooLarge(bool carriesModule, string message) => carriesModule
        ? new ModuleRejectedException(ModuleRejectionCodes.ModuleTooLarge, message)
        : new RunRequestRejectedException("input_too_large", message);

    private static async Task<JsonDocument?> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                return await JsonDocument.ParseAsync(stream, default, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record ProblemFields(string Type, string Code, string Detail, string? Dependency);

    private static string? Text(JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(name, out var value)
            && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>The name of a dependency is shown to callers, so only short plain words are passed on.</summary>
    private static bool IsPlainName(string? value) =>
        value is { Length: > 0 and <= 40 } && value.All(c => char.IsAsciiLetterLower(c) || c == ' ' || c == '-');
}
