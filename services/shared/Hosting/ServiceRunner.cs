using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace WasmWizard.Shared.Hosting;

/// <summary>How each Dapr service's <c>Main</c> runs its host: the same logging of a failed start, the same exit codes.</summary>
public static class ServiceRunner
{
    /// <summary>
    /// Builds and runs the host until it stops. Returns 0 after a normal stop, 1 when it could not start or failed; the
    /// failure is logged as <paramref name="serviceName"/>'s.
    /// </summary>
    public static async Task<int> RunAsync(string serviceName, string[] args, Func<string[], WebApplication> build)
    {
        ArgumentNullException.ThrowIfNull(build);

        // Until the host's own logger exists, startup failures (a sidecar that never came, bad options) still reach
        // the console.
        Serilog.Log.Logger = StructuredLogging.CreateBootstrapLogger(serviceName);
        try
        {
            var app = build(args);
            await app.RunAsync().ConfigureAwait(false);
            return 0;
        }
        catch (Exception e) when (e is not HostAbortedException)
        {
            Serilog.Log
                .ForContext("EventId", new { Id = SharedEventIds.HostFailed, Name = "HostFailed" }, true)
                .Fatal(e, "The {Service} stopped unexpectedly", serviceName);
            return 1;
        }
        finally
        {
            await Serilog.Log.CloseAndFlushAsync().ConfigureAwait(false);
        }
    }
}
