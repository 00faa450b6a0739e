using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using WasmWizard.Api.Bootstrap;
using WasmWizard.Api.Extensions;
using WasmWizard.Shared.Dapr;
using WasmWizard.Shared.Hosting;

namespace WasmWizard.Api.Hosting;

/// <summary>
/// The api beside its Dapr sidecar: the public REST surface over Dapr state, pub/sub, invocation of the executor and
/// the rate-limit actor. Not top-level statements, because the embedded host references this assembly and would meet
/// a second <c>Program</c>; not a static class, so tests can name it as <c>WebApplicationFactory</c>'s entry point.
/// </summary>
public sealed class ApiProgram
{
    private ApiProgram()
    {
    }

    /// <summary>
    /// Runs the service until it is stopped, or only prints a new admin key (<c>--print-new-admin-key</c>); returns
    /// the process exit code.
    /// </summary>
    public static Task<int> Main(string[] args) =>
        AdminKeyCommand.TryRun(args, Console.Out) ? Task.FromResult(0) : ServiceRunner.RunAsync("api", args, Build);

    /// <summary>Builds the service's web application.</summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults();
        builder.AddDaprSidecar();
        builder.AddDaprApiServices();
        builder.AddWasmWizardApi();

        var app = builder.Build();
        app.UseRequestLogging();
        // Before the api's own middleware: the sidecar's calls (actor turns, /dapr/config) are checked here and are
        // then neither authenticated nor counted against any budget.
        app.UseSidecarChannel("/dapr", "/actors");
        app.UseWasmWizardApi();
        app.MapDefaultEndpoints();
        app.MapActorsHandlers();
        app.MapWasmWizardApi();
        return app;
    }
}
