using Microsoft.AspNetCore.Http;
using Serilog.Core;
using Serilog.Events;

namespace WasmWizard.Shared.Hosting;

/// <summary>
/// Gives every line logged while a request is served that request's id and tenant. The id replaces the one ASP.NET
/// Core's request scope carries (its connection-based identifier), so a line can be found by the X-Request-Id a
/// client was answered.
/// </summary>
internal sealed class RequestLogEnricher(IHttpContextAccessor accessor) : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        if (accessor.HttpContext is not { } context)
        {
            return;
        }

        logEvent.AddOrUpdateProperty(propertyFactory.CreateProperty(
            StructuredLogging.RequestIdProperty, RequestLogContext.RequestId(context)));
        if (RequestLogContext.TenantOf(context) is { } tenant)
        {
            logEvent.AddPropertyIfAbsent(propertyFactory.CreateProperty(StructuredLogging.TenantIdProperty, tenant));
        }
    }
}
