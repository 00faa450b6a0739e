using Microsoft.Extensions.DependencyInjection.Extensions;
using WasmWizard.Shared.Dapr;
using WasmWizard.Shared.Ports;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the executor client of the distributed deployment.</summary>
public static class DaprExecutorClientExtensions
{
    /// <summary>
    /// Adds <see cref="DaprExecutorClient"/> as the <see cref="IExecutorClient"/>, with options from
    /// <c>ExecutorClient</c>. The host must also add the Dapr client (<c>AddDaprSidecar</c>).
    /// </summary>
    public static IServiceCollection AddDaprExecutorClient(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<ExecutorClientOptions>()
            .BindConfiguration(ExecutorClientOptions.SectionName)
            .Validate(o => o.TimeoutSeconds > 0, "ExecutorClient:TimeoutSeconds must be positive.")
            .ValidateOnStart();
        services.TryAddSingleton<DaprExecutorClient>();
        services.TryAddSingleton<IExecutorClient>(sp => sp.GetRequiredService<DaprExecutorClient>());
        return services;
    }
}
