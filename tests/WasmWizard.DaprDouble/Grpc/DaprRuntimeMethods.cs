using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using P = Dapr.Client.Autogen.Grpc.v1;

namespace WasmWizard.DaprDouble.Grpc;

/// <summary>
/// Binds <see cref="DaprRuntimeService"/> by hand: Dapr.Protos ships only the client stub, so the methods are
/// described here with its message parsers. No generated code and no copied .proto files; the wire format is the
/// package's own.
/// </summary>
internal sealed class DaprRuntimeMethods : IServiceMethodProvider<DaprRuntimeService>
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<DaprRuntimeService> context)
    {
        context.AddUnaryMethod(
            Method("SaveState", P.SaveStateRequest.Parser, Empty.Parser), [], (s, r, c) => s.SaveState(r, c));
        context.AddUnaryMethod(
            Method("GetState", P.GetStateRequest.Parser, P.GetStateResponse.Parser),
            [],
            (s, r, c) => s.GetState(r, c));
        context.AddUnaryMethod(
            Method("GetBulkState", P.GetBulkStateRequest.Parser, P.GetBulkStateResponse.Parser),
            [],
            (s, r, c) => s.GetBulkState(r, c));
        context.AddUnaryMethod(
            Method("DeleteState", P.DeleteStateRequest.Parser, Empty.Parser), [], (s, r, c) => s.DeleteState(r, c));
        context.AddUnaryMethod(
            Method("DeleteBulkState", P.DeleteBulkStateRequest.Parser, Empty.Parser),
            [],
            (s, r, c) => s.DeleteBulkState(r, c));
        context.AddUnaryMethod(
            Method("ExecuteStateTransaction", P.ExecuteStateTransactionRequest.Parser, Empty.Parser),
            [],
            (s, r, c) => s.ExecuteStateTransaction(r, c));
        context.AddUnaryMethod(
            Method("PublishEvent", P.PublishEventRequest.Parser, Empty.Parser), [], (s, r, c) => s.PublishEvent(r, c));
    }

    private static Method<TRequest, TResponse> Method<TRequest, TResponse>(
        string name, MessageParser<TRequest> request, MessageParser<TResponse> response)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> =>
        new(
            MethodType.Unary,
            DaprRuntimeService.ServiceName,
            name,
            Marshallers.Create(m => m.ToByteArray(), request.ParseFrom),
            Marshallers.Create(m => m.ToByteArray(), response.ParseFrom));
}
