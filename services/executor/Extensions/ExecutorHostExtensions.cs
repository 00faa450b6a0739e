using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WasmWizard.Executor.Apis;
using WasmWizard.Executor.Hosting;
using WasmWizard.Executor.Sandbox;
using WasmWizard.Shared.Dapr;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Executor.Extensions;

/// <summary>Registers and maps the distributed executor: the sandbox behind its internal endpoints.</summary>
public static class ExecutorHostExtensions
{
    /// <summary>The path every internal endpoint is under, which only the executor's sidecar may call.</summary>
    public const string InternalPathPrefix = "/internal";

    /// <summary>
    /// Adds the sandbox (stored modules come from the state store), request limits that fit the largest module and
    /// problem answers. The Dapr client comes from <c>AddDaprSidecar</c>.
    /// </summary>
    public static TBuilder AddExecutorServices<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddWasmSandbox(builder.Configuration);
        services.TryAddSingleton<IModuleBytesSource, DaprModuleBytesSource>();
        services.TryAddSingleton<ExecutorRequestLimits>();
        services.AddOptions<KestrelServerOptions>()
            .Configure<IOptions<SandboxOptions>>((kestrel, sandbox) =>
                kestrel.Limits.MaxRequestBodySize = ExecutorRequestLimits.BodyBytes(sandbox.Value));
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ExecutorExceptionHandler.Customize);
        services.AddExceptionHandler<ExecutorExceptionHandler>();
        return builder;
    }

    /// <summary>
    /// Problem answers for every error, then the sidecar channel guard on the internal endpoints: with
    /// <c>APP_API_TOKEN</c> set, every call must carry it as <c>dapr-api-token</c>; without it, only loopback
    /// callers get in. Without the guard, anything that can reach this port could prepare and run modules with no
    /// api in front (no keys, no tiers, no quotas).
    /// </summary>
    public static WebApplication UseExecutorServices(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        if (string.IsNullOrEmpty(app.Configuration[SidecarChannel.TokenSetting]))
        {
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ExecutorApi));
            Log.AppTokenNotRequired(logger);
        }

        app.UseSidecarChannel(InternalPathPrefix, "/dapr", "/events");
        return app;
    }

    /// <summary>Maps the internal endpoints (prepare, run, forget; see <see cref="ExecutorProtocol"/>).</summary>
    public static WebApplication MapExecutorServices(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapExecutorApi();
        return app;
    }
}
