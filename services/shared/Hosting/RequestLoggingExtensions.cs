using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Serilog;
using Serilog.Events;
using WasmWizard.Shared;
using WasmWizard.Shared.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>One log line per request, the same in every service.</summary>
public static class RequestLoggingExtensions
{
    private const string Template = "HTTP {RequestMethod} {Route} answered {StatusCode} in {Elapsed:0.0} ms";

    /// <summary>
    /// Logs each request once, when it ends: method, route template (the path when no route matched), status and
    /// elapsed time. Never the query string or a header, which can carry credentials. Probes and scrapes log at
    /// Debug, so a pod's log is not mostly its own health checks. A 503 that tells the client when to come back is
    /// load shedding, not a fault: it logs at Warning, so an overloaded service does not page anyone through its
    /// error log while it refuses as designed.
    /// </summary>
    public static WebApplication UseRequestLogging(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // The host's own logger: left unset, the middleware writes to the static (bootstrap) one.
        var logger = app.Services.GetRequiredService<Serilog.ILogger>();
        app.UseSerilogRequestLogging(options =>
        {
            options.Logger = logger;
            options.MessageTemplate = Template;
            options.IncludeQueryInRequestPath = false;
            options.GetLevel = Level;
            options.EnrichDiagnosticContext = (diagnostics, context) =>
            {
                // The same shape as the EventId of lines logged through ILogger, so one query finds both.
                diagnostics.Set("EventId", new { Id = SharedEventIds.RequestFinished, Name = "RequestFinished" }, true);
                // An exception answered by the exception handler leaves no endpoint on the context; the handler's
                // feature still names the one that threw.
                var endpoint = context.GetEndpoint() ?? context.Features.Get<IExceptionHandlerFeature>()?.Endpoint;
                diagnostics.Set("Route", endpoint is RouteEndpoint { RoutePattern.RawText: { } route }
                    ? route
                    : context.Request.Path.Value);
            };
        });
        return app;
    }

    private static LogEventLevel Level(HttpContext context, double elapsedMs, Exception? exception)
    {
        if (exception is null
            && context.Response.StatusCode == StatusCodes.Status503ServiceUnavailable
            && context.Response.Headers.RetryAfter.Count > 0)
        {
            return LogEventLevel.Warning;
        }

        if (exception is not null || context.Response.StatusCode >= StatusCodes.Status500InternalServerError)
        {
            return LogEventLevel.Error;
        }

        return context.Request.Path.StartsWithSegments("/health") || context.Request.Path.StartsWithSegments(
            ServiceDefaults.MetricsPath)
            ? LogEventLevel.Debug
            : LogEventLevel.Information;
    }
}
