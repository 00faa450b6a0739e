using System.Text.Json;
using Dapr;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Shared.Dapr;

/// <summary>
/// Subscribes the event handlers of a topic through Dapr: the sidecar reads <c>/dapr/subscribe</c> and delivers each
/// CloudEvent to the route, which calls the same <see cref="IEventHandler{TEvent}"/> the embedded host calls directly.
/// </summary>
public static class EventSubscriptionExtensions
{
    // DaprClient publishes with the web defaults (camelCase); the route must read what it writes, whatever the host's
    // own JSON settings are.
    private static readonly JsonSerializerOptions EventJson = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Maps <c>POST /events/{topic}</c> for the handlers of <typeparamref name="TEvent"/> on <paramref name="topic"/>.
    /// Answers tell the sidecar what to do: success acks; an event that cannot be read is dropped to
    /// <paramref name="deadLetterTopic"/> (retrying would not help); a failing handler gets a 500, which the sidecar
    /// retries as its resiliency policy says and then dead-letters.
    /// </summary>
    public static IEndpointConventionBuilder MapEventSubscription<TEvent>(
        this IEndpointRouteBuilder app, string topic, string deadLetterTopic)
        where TEvent : class
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.MapPost("/events/" + topic, async (HttpContext context, CancellationToken cancellationToken) =>
            {
                TEvent? @event;
                try
                {
                    @event = await JsonSerializer.DeserializeAsync<TEvent>(context.Request.Body, EventJson, cancellationToken)
                        .ConfigureAwait(false);
                }
                catch (JsonException)
                {
                    @event = null;
                }

                if (@event is null)
                {
                    return Results.Json(new { status = "DROP" });
                }

                foreach (var handler in context.RequestServices.GetServices<IEventHandler<TEvent>>().Where(h => h.Topic == topic))
                {
                    await handler.HandleAsync(@event, cancellationToken).ConfigureAwait(false);
                }

                return Results.Json(new { status = "SUCCESS" });
            })
            .WithTopic(new TopicOptions { PubsubName = DaprNames.PubSub, Name = topic, DeadLetterTopic = deadLetterTopic })
            .ExcludeFromDescription();
    }
}
