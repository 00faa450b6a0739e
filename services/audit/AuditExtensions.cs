using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using WasmWizard.Audit.Storage;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Audit;

/// <summary>Registers the audit trail: its store, the handler of the audit topic, and a readiness check.</summary>
public static class AuditExtensions
{
    /// <summary>
    /// Adds the audit trail kept in the SQLite file <paramref name="databasePath"/> chooses (by default
    /// <see cref="AuditOptions.DatabasePath"/>).
    /// </summary>
    public static TBuilder AddAuditTrail<TBuilder>(this TBuilder builder, Func<IServiceProvider, string>? databasePath = null)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<AuditOptions>()
            .Bind(builder.Configuration.GetSection(AuditOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuditOptions>, AuditOptionsValidator>());
        databasePath ??= sp => sp.GetRequiredService<IOptions<AuditOptions>>().Value.DatabasePath;

        services.TryAddSingleton(sp => new SqliteAuditEventStore(databasePath(sp)));
        services.TryAddSingleton<IAuditEventStore>(sp => sp.GetRequiredService<SqliteAuditEventStore>());
        services.TryAddSingleton<IAuditReader>(sp => sp.GetRequiredService<IAuditEventStore>());
        services.AddSingleton<IEventHandler<AuditEvent>, AuditEventRecorder>();
        services.AddHealthChecks().AddCheck<AuditStoreHealthCheck>("audit-store", tags: [ServiceDefaults.ReadyTag]);
        return builder;
    }

    private sealed class AuditStoreHealthCheck(IAuditEventStore store) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await store.PingAsync(cancellationToken).ConfigureAwait(false);
                return HealthCheckResult.Healthy("The audit store answers.");
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return HealthCheckResult.Unhealthy("The audit store does not answer.", e);
            }
        }
    }
}
