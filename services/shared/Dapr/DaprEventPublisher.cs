using Dapr;
using Dapr.Client;
using Grpc.Core;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Shared.Dapr;

/// <summary>Publishes events through the sidecar's pub/sub component as CloudEvents with JSON data.</summary>
public sealed class DaprEventPublisher(DaprClient dapr) : IEventPublisher
{
    /// <inheritdoc />
    public async Task PublishAsync<TEvent>(string topic, TEvent @event, CancellationToken cancellationToken)
        where TEvent : class
    {
        ArgumentNullException.ThrowIfNull(@event);
        try
        {
            // The client sends application/json, so subscribers get JSON data rather than a text/plain string.
            await dapr.PublishEventAsync(DaprNames.PubSub, topic, @event, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsUnavailable(e) && !cancellationToken.IsCancellationRequested)
        {
            throw new DependencyUnavailableException("event bus", e);
        }
    }

    private static bool IsUnavailable(Exception e) => e switch
    {
        DaprException { InnerException: { } inner } => IsUnavailable(inner),
        RpcException rpc => rpc.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal
            or StatusCode.Unknown,
        HttpRequestException => true,
        _ => false,
    };
}
