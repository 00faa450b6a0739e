using Microsoft.Extensions.DependencyInjection.Extensions;
using WasmWizard.Shared.Execution;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="ExecutionMetrics"/>.</summary>
public static class ExecutionMetricsExtensions
{
    /// <summary>
    /// Adds the execution instruments once per host, whichever of the api, the executor or the embedded host asks
    /// first; <c>/metrics</c> exports them with every other <c>WasmWizard.*</c> meter.
    /// </summary>
    public static IServiceCollection AddExecutionMetrics(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddMetrics();
        services.TryAddSingleton<ExecutionMetrics>();
        return services;
    }
}
