using Grpc.Core;
using Microsoft.AspNetCore.Http;
using WasmWizard.DaprDouble.Hosting;
using WasmWizard.DaprDouble.PubSub;
using P = Dapr.Client.Autogen.Grpc.v1;

namespace WasmWizard.DaprDouble.Grpc;

/// <summary>The publish call of the gRPC API, checked as daprd checks it and handed to the broker.</summary>
internal static class PublishRequests
{
    public static void Publish(SidecarDouble sidecar, P.PublishEventRequest request, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.PubsubName))
        {
            throw DaprApiException.InvalidArgument("ERR_PUBSUB_EMPTY", "pubsub name is empty");
        }

        if (!sidecar.Network.PubSubs.Contains(request.PubsubName))
        {
            throw new DaprApiException(StatusCode.InvalidArgument, StatusCodes.Status404NotFound,
                "ERR_PUBSUB_NOT_FOUND", $"pubsub {request.PubsubName} is not found");
        }

        if (string.IsNullOrEmpty(request.Topic))
        {
            throw DaprApiException.InvalidArgument(
                "ERR_TOPIC_NAME_EMPTY", $"topic is empty in pubsub {request.PubsubName}");
        }

        if (request.Metadata.TryGetValue("rawPayload", out var raw) && bool.TryParse(raw, out var isRaw) && isRaw)
        {
            // TODO: raw payloads (no envelope) are not delivered; add them if a service publishes raw.
            throw new DaprApiException(StatusCode.Unimplemented, StatusCodes.Status501NotImplemented,
                "ERR_DOUBLE_NOT_IMPLEMENTED", "the sidecar double does not support rawPayload publishing");
        }

        var input = new PublishInput(
            sidecar.AppId,
            request.PubsubName,
            request.Topic,
            request.Data.ToByteArray(),
            request.DataContentType,
            new Dictionary<string, string>(request.Metadata, StringComparer.Ordinal),
            context.RequestHeaders.GetValue("traceparent"),
            context.RequestHeaders.GetValue("tracestate"));
        try
        {
            sidecar.Network.Broker.Publish(input);
        }
        catch (ArgumentException e)
        {
            throw DaprApiException.InvalidArgument("ERR_PUBSUB_CLOUD_EVENTS_SER", e.Message);
        }
    }
}
