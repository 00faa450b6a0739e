using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace WasmWizard.Shared.Hosting;

/// <summary>
/// What a request adds to every line logged while it is served: its request id and, once known, its tenant.
/// </summary>
public static class RequestLogContext
{
    private static readonly object TenantKey = new();

    /// <summary>
    /// The request's id: the trace id of its server span when tracing runs (always, in our hosts, so an incoming
    /// traceparent is honoured), else the server's own id for it.
    /// </summary>
    public static string RequestId(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<IHttpActivityFeature>()?.Activity is { } activity && activity.TraceId != default
            ? activity.TraceId.ToHexString()
            : context.TraceIdentifier;
    }

    /// <summary>
    /// Marks the request as <paramref name="tenantId"/>'s: every line logged for it from now on, and its summary line,
    /// carry the tenant id.
    /// </summary>
    public static void SetTenant(HttpContext context, string tenantId)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        context.Items[TenantKey] = tenantId;
    }

    /// <summary>
    /// Names <paramref name="tenantId"/> on every line <paramref name="logger"/>'s provider writes until the scope is
    /// disposed: for work done for a tenant that no request of theirs carries (a queued run delivered by the broker).
    /// </summary>
    public static IDisposable? BeginTenantScope(this ILogger logger, string tenantId)
    {
        ArgumentNullException.ThrowIfNull(logger);
        return logger.BeginScope(new Dictionary<string, object> { [StructuredLogging.TenantIdProperty] = tenantId });
    }

    /// <summary>The tenant <see cref="SetTenant"/> recorded for the request, or null.</summary>
    public static string? TenantOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items.TryGetValue(TenantKey, out var tenant) ? tenant as string : null;
    }
}
