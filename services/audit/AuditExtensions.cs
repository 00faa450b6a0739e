using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using WasmWizard.Audit.Storage;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Audit;

/// <summary>Registers the audit trail: its store, the handler of the audit topic, and a readiness check.</summary>
public static class AuditExtensions
{
    /// <summary>The service key of the audit trail's <see cref="NpgsqlDataSource"/>, kept apart from any other.</summary>
    public const string DataSourceKey = "audit";

    /// <summary>
    /// Adds the audit trail: in PostgreSQL when <c>Audit:ConnectionString</c> (or <c>ConnectionStrings:audit</c>) is
    /// set, else in the SQLite file <paramref name="databasePath"/> chooses (by default
    /// <see cref="AuditOptions.DatabasePath"/>).
    /// </summary>
    public static TBuilder AddAuditTrail<TBuilder>(this TBuilder builder, Func<IServiceProvider, string>? databasePath = null)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<AuditOptions>()
            .Bind(builder.Configuration.GetSection(AuditOptions.SectionName))
            .PostConfigure<IConfiguration>((options, configuration) =>
            {
                if (string.IsNullOrWhiteSpace(options.ConnectionString))
                {
                    options.ConnectionString = configuration.GetConnectionString(AuditOptions.ConnectionStringName);
                }
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuditOptions>, AuditOptionsValidator>());
        databasePath ??= sp => sp.GetRequiredService<IOptions<AuditOptions>>().Value.DatabasePath;

        // Built on first use and disposed with the container; keyed, so another PostgreSQL user in the same host
        // (the embedded one) keeps its own pool.
        services.TryAddKeyedSingleton(DataSourceKey, (sp, _) =>
        {
            var dataSource = new NpgsqlDataSourceBuilder(sp.GetRequiredService<IOptions<AuditOptions>>().Value.ConnectionString);
            if (sp.GetService<ILoggerFactory>() is { } logging)
            {
                dataSource.UseLoggerFactory(logging);
            }

            return dataSource.Build();
        });
        services.TryAddSingleton(sp => new PostgresAuditEventStore(sp.GetRequiredKeyedService<NpgsqlDataSource>(DataSourceKey)));
        services.TryAddSingleton(sp => new SqliteAuditEventStore(databasePath(sp)));
        services.TryAddSingleton<IAuditEventStore>(sp => UsesPostgres(sp)
            ? sp.GetRequiredService<PostgresAuditEventStore>()
            : sp.GetRequiredService<SqliteAuditEventStore>());
        services.AddMetrics();
        services.TryAddSingleton<AuditMetrics>();
        services.TryAddSingleton<IAuditReader, MeteredAuditReader>();
        services.AddHostedService<AuditStoreStartup>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AuditRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditRetention>());
        services.AddSingleton<IEventHandler<AuditEvent>, AuditEventRecorder>();
        services.AddHealthChecks().AddCheck<AuditStoreHealthCheck>("audit-store", tags: [ServiceDefaults.ReadyTag]);
        return builder;
    }

    private static bool UsesPostgres(IServiceProvider services) =>
        !string.IsNullOrWhiteSpace(services.GetRequiredService<IOptions<AuditOptions>>().Value.ConnectionString);

    /// <summary>Migrates PostgreSQL before the host serves, so a database it cannot use fails the start.</summary>
    private sealed class AuditStoreStartup(IAuditEventStore store) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) =>
            store is PostgresAuditEventStore postgres ? postgres.InitializeAsync(cancellationToken) : Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class AuditStoreHealthCheck(IAuditEventStore store) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            // Which store, never where it is: a connection string can hold a password.
            var (name, kind) = store is PostgresAuditEventStore ? ("PostgreSQL", "postgresql") : ("SQLite", "sqlite");
            var data = new Dictionary<string, object> { ["store"] = kind };
            try
            {
                await store.PingAsync(cancellationToken).ConfigureAwait(false);
                return HealthCheckResult.Healthy($"The audit store ({name}) answers.", data);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return HealthCheckResult.Unhealthy($"The audit store ({name}) does not answer.", e, data);
            }
        }
    }
}
