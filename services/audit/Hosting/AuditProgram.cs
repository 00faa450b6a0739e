using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Dapr;
using WasmWizard.Shared.Ports;
using WasmWizard.Shared.Hosting;

namespace WasmWizard.Audit.Hosting;

/// <summary>
/// The audit service beside its Dapr sidecar: subscribes to the audit topic and keeps every event once. Not top-level
/// statements, because the embedded host references this assembly and would meet a second <c>Program</c>; not a
/// static class, so tests can name it as <c>WebApplicationFactory</c>'s entry point.
/// </summary>
public sealed class AuditProgram
{
    private AuditProgram()
    {
    }

    /// <summary>Runs the service until it is stopped; returns the process exit code.</summary>
    public static Task<int> Main(string[] args) => ServiceRunner.RunAsync("audit service", args, Build);

    /// <summary>Builds the service's web application.</summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults();
        builder.AddDaprSidecar();
        builder.AddAuditTrail();

        var app = builder.Build();

        // Opened now, a trail that cannot be opened (a bad path, a full disk) fails the start, not the first delivery.
        _ = app.Services.GetRequiredService<IAuditEventStore>();
        app.UseRequestLogging();
        app.UseSidecarChannel("/dapr", "/events", "/internal");
        // Unwraps each delivered CloudEvent so the route reads the event itself.
        app.UseCloudEvents();
        app.MapDefaultEndpoints();
        app.MapSubscribeHandler();
        app.MapEventSubscription<AuditEvent>(DaprNames.AuditTopic, DaprNames.AuditDeadLetterTopic);
        app.MapAuditQueries();
        return app;
    }
}
