using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using WasmWizard.Shared.Contracts;

namespace WasmWizard.Api.Http;

/// <summary>
/// The answer to a run the executor would not take (no slot free): 429 when the tenant's own runs fill its share,
/// 503 otherwise, both with <c>Retry-After</c>. One place, whether the refusal arrived as a value or was thrown.
/// </summary>
public static class ExecutorRefusals
{
    /// <summary>The status and code of the refusal.</summary>
    public static (int Status, string Code) StatusOf(ExecutorBusyException busy)
    {
        ArgumentNullException.ThrowIfNull(busy);
        return busy.TenantShareSpent
            ? (StatusCodes.Status429TooManyRequests, ErrorCodes.ConcurrencyLimited)
            : (StatusCodes.Status503ServiceUnavailable, ErrorCodes.ExecutorBusy);
    }

    /// <summary>Sets <c>Retry-After</c> (whole seconds, at least one) on the response.</summary>
    public static void SetRetryAfter(HttpResponse response, ExecutorBusyException busy)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(busy);
        response.Headers.RetryAfter =
            Math.Max(1, (int)Math.Ceiling(busy.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The problem answer, with <c>Retry-After</c> set on <paramref name="response"/>.</summary>
    public static ProblemHttpResult Answer(HttpResponse response, ExecutorBusyException busy)
    {
        SetRetryAfter(response, busy);
        var (status, code) = StatusOf(busy);
        return ApiProblems.Create(status, code, busy.Message);
    }
}
