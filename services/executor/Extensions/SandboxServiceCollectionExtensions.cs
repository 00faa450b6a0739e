using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using WasmWizard.Executor.Sandbox;
using WasmWizard.Shared.Ports;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the executor's sandbox.</summary>
public static class SandboxServiceCollectionExtensions
{
    /// <summary>
    /// Adds the Wasmtime sandbox with options bound from <c>Sandbox</c> and validated at startup. The host must
    /// also register an <c>IModuleBytesSource</c> so the executor can find stored modules.
    /// </summary>
    public static IServiceCollection AddWasmSandbox(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<SandboxOptions>()
            .Bind(configuration.GetSection(SandboxOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SandboxOptions>, SandboxOptionsValidator>());
        services.TryAddSingleton<WasmEngine>();
        services.TryAddSingleton<SandboxStatistics>();
        services.TryAddSingleton<IsolatedCompiler>();
        services.TryAddSingleton<CompiledModuleCache>();
        services.TryAddSingleton<GuestThreadPool>();
        services.TryAddSingleton<StdinFiles>();
        services.TryAddSingleton<GuestInvoker>();
        services.AddMetrics();
        services.TryAddSingleton(sp => new SandboxMetrics(
            sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            sp.GetRequiredService<GuestThreadPool>(),
            sp.GetRequiredService<SandboxStatistics>()));
        services.TryAddSingleton(sp => new SandboxService(
            sp.GetRequiredService<CompiledModuleCache>(),
            sp.GetRequiredService<GuestThreadPool>(),
            sp.GetRequiredService<GuestInvoker>(),
            sp.GetRequiredService<IModuleBytesSource>(),
            sp.GetRequiredService<WasmEngine>(),
            sp.GetRequiredService<SandboxMetrics>(),
            sp.GetRequiredService<IOptions<SandboxOptions>>()));
        services.AddHealthChecks().AddCheck<SandboxHealthCheck>("sandbox", tags: [ServiceDefaults.ReadyTag]);
        return services;
    }
}
