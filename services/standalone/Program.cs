using Serilog;
using WasmWizard.Api.Extensions;
using WasmWizard.Shared.Hosting;
using WasmWizard.Standalone.Extensions;

// Until the host's own logger exists, startup failures still reach the console.
Log.Logger = StructuredLogging.CreateBootstrapLogger("standalone");
try
{
    // Settings sit beside the binary; data goes to the working directory (./data), wherever the command was typed.
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions
    {
        Args = args,
        ContentRootPath = AppContext.BaseDirectory,
    });
    builder.AddServiceDefaults();
    builder.AddEmbeddedServices();
    builder.AddWasmWizardApi();

    var app = builder.Build();
    app.UseRequestLogging();
    app.UseWasmWizardApi();
    app.MapDefaultEndpoints();
    app.MapWasmWizardApi();
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (e is not HostAbortedException)
{
    Log.Fatal(e, "Wasm Wizard stopped unexpectedly");
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}

/// <summary>The embedded host: api, executor and storage in one process.</summary>
public partial class Program;
