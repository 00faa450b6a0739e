using WasmWizard.Executor.Extensions;
using WasmWizard.Executor.Requests;
using WasmWizard.Shared.Dapr;
using WasmWizard.Shared.Hosting;

namespace WasmWizard.Executor.Hosting;

/// <summary>
/// The distributed executor: the sandbox behind its own Dapr sidecar. Not top-level statements, because the
/// embedded host references this project and has a top-level <c>Program</c> of its own; not a static class, so
/// tests can name it as <c>WebApplicationFactory</c>'s entry point.
/// </summary>
public sealed class ExecutorProgram
{
    private ExecutorProgram()
    {
    }

    /// <summary>Runs the executor until it is stopped; returns 1 when it could not start or failed.</summary>
    public static Task<int> Main(string[] args) => ServiceRunner.RunAsync("executor", args, Build);

    /// <summary>Builds the executor's web application.</summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults();
        builder.AddDaprSidecar();
        builder.AddExecutorServices();
        builder.AddExecutionRequests();

        var app = builder.Build();
        app.UseRequestLogging();
        app.UseExecutorServices();
        app.MapDefaultEndpoints();
        app.MapExecutorServices();
        app.MapExecutionRequests();
        return app;
    }
}
