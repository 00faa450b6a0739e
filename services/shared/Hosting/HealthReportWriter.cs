using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace WasmWizard.Shared.Hosting;

/// <summary>
/// Writes a health report as JSON: the overall status and time taken, then per check its status, description, time
/// taken, tags and data. Check exceptions are left out: their messages can name hosts, files or users, and the log
/// has them already.
/// </summary>
/// <remarks>
/// <code>
/// {"status":"degraded","duration_ms":2.1,"checks":{"sandbox":{"status":"degraded","description":"0 guest slots free",
///   "duration_ms":0.1,"tags":["ready"],"data":{"free_slots":0,"total_slots":4}}}}
/// </code>
/// </remarks>
public static class HealthReportWriter
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Writes <paramref name="report"/> as the response body.</summary>
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(report);
        context.Response.ContentType = "application/json; charset=utf-8";
        // Probes and dashboards want the state now, never a cached one.
        context.Response.Headers.CacheControl = "no-store";
        var body = new Dictionary<string, object>
        {
            ["status"] = Name(report.Status),
            ["duration_ms"] = Math.Round(report.TotalDuration.TotalMilliseconds, 3),
            ["checks"] = report.Entries.ToDictionary(e => e.Key, e => Entry(e.Value)),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, Json));
    }

    private static Dictionary<string, object?> Entry(HealthReportEntry entry)
    {
        var written = new Dictionary<string, object?>
        {
            ["status"] = Name(entry.Status),
            // A check that threw has the exception's message as its description (the health service puts it there).
            ["description"] = entry.Exception is { } e && entry.Description == e.Message
                ? "The check failed; the log has the error."
                : entry.Description,
            ["duration_ms"] = Math.Round(entry.Duration.TotalMilliseconds, 3),
            ["tags"] = entry.Tags,
        };
        if (entry.Data.Count > 0)
        {
            written["data"] = entry.Data;
        }

        return written;
    }

    private static string Name(HealthStatus status) => status.ToString().ToLowerInvariant();
}
