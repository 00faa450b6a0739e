using Microsoft.Extensions.Options;
using WasmWizard.Api;
using WasmWizard.Api.Extensions;
using WasmWizard.Audit;
using WasmWizard.Executor.Sandbox;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Dapr;
using WasmWizard.Shared.Ports;
using WasmWizard.Shared.RateLimiting;
using WasmWizard.Standalone.Events;
using WasmWizard.Standalone.Execution;
using WasmWizard.Standalone.RateLimiting;
using WasmWizard.Standalone.Storage;

namespace WasmWizard.Standalone.Extensions;

/// <summary>
/// The embedded implementations of the ports: SQLite storage and the executor in the same process. This is the
/// only place that knows they exist.
/// </summary>
public static class EmbeddedExtensions
{
    /// <summary>Adds SQLite storage, the sandbox and the in-process executor client.</summary>
    public static TBuilder AddEmbeddedServices<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        var services = builder.Services;
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.SectionName));

        // The compiled cache and the admin key follow the data folder unless configured on their own.
        services.PostConfigure<SandboxOptions>(sandbox =>
        {
            if (configuration[$"{SandboxOptions.SectionName}:{nameof(SandboxOptions.CompiledCacheDirectory)}"] is null)
            {
                sandbox.CompiledCacheDirectory = Path.Combine(DataDirectory(configuration), "compiled");
            }
        });
        services.PostConfigure<ApiOptions>(api =>
        {
            if (configuration[$"{ApiOptions.SectionName}:{nameof(ApiOptions.AdminKeyFile)}"] is null)
            {
                api.AdminKeyFile = Path.Combine(DataDirectory(configuration), "admin-api-key");
            }
        });

        services.AddSingleton<SqliteDatabase>();
        services.AddSingleton<SqliteModuleStore>();
        services.AddSingleton<IModuleStore>(sp => sp.GetRequiredService<SqliteModuleStore>());
        services.AddSingleton<IModuleBytesSource>(sp => sp.GetRequiredService<SqliteModuleStore>());
        services.AddSingleton<IIdentityStore, SqliteIdentityStore>();
        services.AddSingleton<IExecutionStore, SqliteExecutionStore>();

        // Asynchronous executions: the job table is also the durable queue its in-process workers take from.
        services.AddOptions<ExecutionQueueOptions>()
            .Bind(configuration.GetSection(ExecutionQueueOptions.SectionName))
            .Validate(o => o.Workers is null or >= 0, "ExecutionQueue:Workers must be zero or more.")
            .ValidateOnStart();
        services.AddSingleton<SqliteExecutionJobStore>();
        services.AddSingleton<IExecutionJobStore>(sp => sp.GetRequiredService<SqliteExecutionJobStore>());
        services.AddSingleton<EmbeddedExecutionQueue>();
        services.AddSingleton<IExecutionQueue>(sp => sp.GetRequiredService<EmbeddedExecutionQueue>());
        services.AddHostedService(sp => sp.GetRequiredService<EmbeddedExecutionQueue>());
        services.AddAsyncExecutions();
        services.AddHealthChecks().AddCheck<SqliteHealthCheck>("database", tags: [ServiceDefaults.ReadyTag]);

        services.AddSingleton<IRequestRateLimiter, InProcessRequestRateLimiter>();
        services.AddSingleton<SqliteEventOutbox>();
        services.AddSingleton<OutboxDispatcher>();
        services.AddSingleton<IOutboxRoute>(new OutboxRoute<AuditEvent>(DaprNames.AuditTopic));
        services.AddSingleton<IOutboxRoute>(new OutboxRoute<ExecutionResultEvent>(DaprNames.ExecutionResultsTopic));
        services.AddSingleton<OutboxDrainer>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxDrainer>());
        services.AddHostedService<OutboxMetrics>();
        services.AddHealthChecks().AddCheck<OutboxHealthCheck>("audit-outbox", tags: [ServiceDefaults.ReadyTag]);
        services.AddSingleton<SameFileAuditTrail>();
        services.AddSingleton<IEventPublisher, OutboxEventPublisher>();
        // The audit trail shares the embedded database file (its table came with schema version 3).
        builder.AddAuditTrail(sp => sp.GetRequiredService<SqliteDatabase>().Path);
        services.AddWasmSandbox(configuration);
        services.AddSingleton<IExecutorClient, InProcessExecutorClient>();
        return builder;
    }

    private static string DataDirectory(IConfiguration configuration) =>
        configuration[$"{StorageOptions.SectionName}:{nameof(StorageOptions.DataDirectory)}"] ?? new StorageOptions().DataDirectory;
}
