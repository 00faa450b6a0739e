using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using WasmWizard.Api.Extensions;
using WasmWizard.Shared.Dapr;
using WasmWizard.Shared.Dapr.State;
using WasmWizard.Shared.Ports;
using WasmWizard.Shared.RateLimiting;

namespace WasmWizard.Api.Hosting;

/// <summary>
/// The Dapr implementations of the api's ports. Only the api's Dapr host knows them, as only the embedded host knows
/// the SQLite and in-process ones.
/// </summary>
public static class DaprApiExtensions
{
    /// <summary>
    /// Adds state-store storage, pub/sub events, the executor reached through service invocation, asynchronous
    /// executions (stored in the state store, announced on <c>execution-requests</c> for the executor to run), and the
    /// request rate limiter as actors this service hosts (one per budget, so every replica spends from the same
    /// buckets), and a readiness check on the state store.
    /// </summary>
    public static TBuilder AddDaprApiServices<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddSingleton<IIdentityStore, DaprIdentityStore>();
        services.AddSingleton<IModuleStore, DaprModuleStore>();
        services.AddSingleton<IExecutionStore, DaprExecutionStore>();
        services.AddSingleton<IEventPublisher, DaprEventPublisher>();
        services.AddDaprExecutorClient();
        services.AddSingleton<IAuditReader, DaprAuditReader>();

        // Asynchronous executions: jobs in the shared state store, announced on execution-requests for the executor.
        services.AddSingleton<IExecutionJobStore, DaprExecutionJobStore>();
        services.AddSingleton<IExecutionQueue, DaprExecutionQueue>();
        services.AddAsyncExecutions();

        services.AddOptions<ActorRateLimiterOptions>()
            .Bind(builder.Configuration.GetSection(ActorRateLimiterOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(
            ServiceDescriptor.Singleton<IValidateOptions<ActorRateLimiterOptions>, ActorRateLimiterOptionsValidator>());
        services.AddSingleton<IRequestRateLimiter, ActorRequestRateLimiter>();
        services.AddActors(options => options.Actors.RegisterActor<RateLimitActor>());
        services.AddHealthChecks().AddCheck<StateStoreHealthCheck>("state-store", tags: [ServiceDefaults.ReadyTag]);
        return builder;
    }
}
