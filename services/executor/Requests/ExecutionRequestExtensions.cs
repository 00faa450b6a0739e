using Dapr;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Dapr;
using WasmWizard.Shared.Dapr.State;
using WasmWizard.Shared.Execution;
using WasmWizard.Shared.Ports;
using WasmWizard.Shared.RateLimiting;

namespace WasmWizard.Executor.Requests;

/// <summary>The distributed executor's consumer of <c>execution-requests</c>.</summary>
public static class ExecutionRequestExtensions
{
    /// <summary>The route the sidecar delivers execution requests to.</summary>
    public const string Route = "/events/" + DaprNames.ExecutionRequestsTopic;

    /// <summary>The route the sidecar delivers dead-lettered execution requests to.</summary>
    public const string DeadLetterRoute = "/events/" + DaprNames.ExecutionRequestsDeadLetterTopic;

    /// <summary>
    /// Adds what checking and recording a request needs: the state-store ports the api uses too, the tiers (read from
    /// the api's section <c>Api</c>, so one setting configures both), the rate-limit actors the api hosts, and events.
    /// </summary>
    public static TBuilder AddExecutionRequests<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<TierSettings>().Bind(builder.Configuration.GetSection(TierSettings.TierSectionName))
            .Validate(t => t.Tiers.ContainsKey(Tiers.Free), "Api:Tiers must keep the free tier.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IIdentityStore, DaprIdentityStore>();
        services.TryAddSingleton<IModuleStore, DaprModuleStore>();
        services.TryAddSingleton<IExecutionJobStore, DaprExecutionJobStore>();
        services.TryAddSingleton<IExecutionStore, DaprExecutionStore>();
        services.TryAddSingleton<IEventPublisher, DaprEventPublisher>();
        services.TryAddSingleton<TenantConcurrency>();
        services.AddOptions<ActorRateLimiterOptions>()
            .Bind(builder.Configuration.GetSection(ActorRateLimiterOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(
            ServiceDescriptor.Singleton<IValidateOptions<ActorRateLimiterOptions>, ActorRateLimiterOptionsValidator>());
        services.TryAddSingleton<IRequestRateLimiter, ActorRequestRateLimiter>();

        // For the actor proxies only: this service hosts no actors.
        services.AddActors(_ => { });
        services.AddExecutionMetrics();
        services.TryAddSingleton<ExecutionRequestProcessor>();
        return builder;
    }

    /// <summary>
    /// Maps the subscription: <c>/dapr/subscribe</c> lists it (with its dead-letter topic) and the route answers each
    /// delivery with <c>SUCCESS</c>, <c>RETRY</c> (nothing ran; no free slot) or <c>DROP</c> (unreadable). An error
    /// (a store down) is a 500, which the sidecar retries as its resiliency policy says and then dead-letters.
    /// </summary>
    public static WebApplication MapExecutionRequests(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapSubscribeHandler();
        app.MapPost(Route, async (HttpRequest request, ExecutionRequestProcessor processor, CancellationToken token) =>
            {
                using var body = new MemoryStream();
                await request.Body.CopyToAsync(body, token).ConfigureAwait(false);
                var verdict = await processor.ProcessAsync(body.GetBuffer().AsMemory(0, (int)body.Length), token)
                    .ConfigureAwait(false);
                return Results.Json(new
                {
                    status = verdict switch
                    {
                        RequestVerdict.Retry => "RETRY",
                        RequestVerdict.Drop => "DROP",
                        _ => "SUCCESS",
                    },
                });
            })
            .WithTopic(new TopicOptions
            {
                PubsubName = DaprNames.PubSub,
                Name = DaprNames.ExecutionRequestsTopic,
                DeadLetterTopic = DaprNames.ExecutionRequestsDeadLetterTopic,
            })
            .ExcludeFromDescription();

        // No dead-letter topic of its own: what fails here stays where operators look for it.
        app.MapPost(DeadLetterRoute, async (HttpRequest request, ExecutionRequestProcessor processor, CancellationToken token) =>
            {
                using var body = new MemoryStream();
                await request.Body.CopyToAsync(body, token).ConfigureAwait(false);
                await processor.ProcessDeadLetterAsync(body.GetBuffer().AsMemory(0, (int)body.Length), token)
                    .ConfigureAwait(false);
                return Results.Json(new { status = "SUCCESS" });
            })
            .WithTopic(new TopicOptions { PubsubName = DaprNames.PubSub, Name = DaprNames.ExecutionRequestsDeadLetterTopic })
            .ExcludeFromDescription();
        return app;
    }
}
