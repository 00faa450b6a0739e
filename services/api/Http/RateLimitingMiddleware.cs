using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using WasmWizard.Api.Audit;
using WasmWizard.Shared.Dapr;
using WasmWizard.Api.Auth;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.RateLimiting;

namespace WasmWizard.Api.Http;

/// <summary>
/// Spends a request's token right after authentication, before any body is read or module parsed. Callers with a
/// valid credential spend their key's (or tenant's) tier budget and always get the X-RateLimit headers; everyone
/// else (no credential, or one that failed) spends a budget per client address, so keys cannot be guessed at
/// speed. Health probes are exempt.
/// </summary>
public sealed class RateLimitingMiddleware(
    RequestDelegate next,
    IRequestRateLimiter limiter,
    AddressBudget addresses,
    IOptionsMonitor<ApiOptions> options,
    IProblemDetailsService problems,
    AuditRecorder audit,
    ApiMetrics metrics,
    TimeProvider time)
{
    /// <summary>Checks the request's budget, then hands it on or answers 429.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // Health probes, and the sidecar's own calls (actor turns of the limiter itself, subscriptions), spend nothing.
        if (context.Request.Path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase)
            || SidecarChannel.IsSidecarCall(context))
        {
            await next(context);
            return;
        }

        if (context.User.Identity?.IsAuthenticated == true)
        {
            var caller = Caller.From(context.User);
            var policy = options.CurrentValue.Tiers.GetValueOrDefault(caller.Tier)?.RatePolicy;
            var decision = await limiter.AcquireAsync(caller.RateLimitPartition, policy, context.RequestAborted);

            // Set when the response starts, so error paths that clear headers still carry them.
            context.Response.OnStarting(() =>
            {
                WriteHeaders(context.Response, decision);
                return Task.CompletedTask;
            });
            if (!decision.Allowed)
            {
                metrics.Refused(caller.Tier, "credential");
                await audit.RecordRefusalAsync(
                    AuditEventTypes.RateLimitExceeded, caller.RateLimitPartition, Details("limit", "credential"));
                await RefuseAsync(context, decision.RetryAfter, "The API key's request rate limit is exceeded.");
                return;
            }
        }
        else
        {
            var address = AddressBudget.PartitionOf(context.Connection.RemoteIpAddress);
            if (addresses.TrySpend(address) is { } retryAfter)
            {
                metrics.Refused(ApiMetrics.Anonymous, "address");
                await audit.RecordRefusalAsync(AuditEventTypes.RateLimitExceeded, address, Details("limit", "address"));
                await RefuseAsync(context, retryAfter, "Too many requests without a valid credential from this address.");
                return;
            }

            if (context.Request.Headers.Authorization.Count > 0)
            {
                // A credential was sent and did not authenticate. One record per address and minute: a flood from many
                // addresses must not turn into as many database writes.
                metrics.AuthenticationFailed(CredentialKind(context.Request));
                await audit.RecordRefusalAsync(
                    AuditEventTypes.AuthenticationFailed, address, Details("reason", AuthFailureReason.Recall(context)));
            }
        }

        try
        {
            await next(context);
        }
        catch (ApiProblemException e) when (e.Status == StatusCodes.Status403Forbidden)
        {
            await RecordDeniedAsync(context);
            throw;
        }

        if (context.Response.StatusCode == StatusCodes.Status403Forbidden)
        {
            await RecordDeniedAsync(context);
        }
    }

    // Refusals of a signed-in caller are security-relevant too; like the other refusals, one per caller and minute.
    private Task RecordDeniedAsync(HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true
            ? audit.RecordRefusalAsync(
                AuditEventTypes.AccessDenied,
                "access:" + Caller.From(context.User).UserId,
                new Dictionary<string, string> { ["method"] = context.Request.Method, ["path"] = context.Request.Path.Value ?? "" })
            : Task.CompletedTask;

    private async Task RefuseAsync(HttpContext context, TimeSpan retryAfter, string message)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = ApiProblems.Details(
                StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimited, $"{message} Retry in {seconds} s."),
        });
    }

    private static Dictionary<string, string> Details(string name, string value) => new() { [name] = value };

    private void WriteHeaders(HttpResponse response, RateLimitDecision decision)
    {
        var headers = response.Headers;
        headers["X-RateLimit-Limit"] = decision.Limit?.ToString(CultureInfo.InvariantCulture) ?? "unlimited";
        headers["X-RateLimit-Remaining"] = decision.Remaining?.ToString(CultureInfo.InvariantCulture) ?? "unlimited";
        var reset = decision.Limit is null ? time.GetUtcNow() : decision.Reset;
        headers["X-RateLimit-Reset"] = ((long)Math.Ceiling(reset.ToUnixTimeMilliseconds() / 1000.0)).ToString(CultureInfo.InvariantCulture);
    }

    // What kind of credential failed, for the metric's label: the credential itself is never looked at beyond its
    // prefix, and never kept.
    private static string CredentialKind(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith("Bearer ww_", StringComparison.Ordinal) ? "api_key"
        : request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.Ordinal) ? "jwt"
        : "other";
}
