using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using WasmWizard.DaprDouble.Hosting;
using P = Dapr.Client.Autogen.Grpc.v1;

namespace WasmWizard.DaprDouble.Grpc;

/// <summary>
/// The bound methods of <c>dapr.proto.runtime.v1.Dapr</c>. Each checks readiness and the fault switches, then
/// hands over to <see cref="StateRequests"/> or <see cref="PublishRequests"/>; methods not bound here answer
/// UNIMPLEMENTED.
/// </summary>
internal sealed class DaprRuntimeService(SidecarDouble sidecar)
{
    public const string ServiceName = "dapr.proto.runtime.v1.Dapr";

    public Task<Empty> SaveState(P.SaveStateRequest request, ServerCallContext context) =>
        State(() => Done(() => StateRequests.Save(sidecar, request)));

    public Task<P.GetStateResponse> GetState(P.GetStateRequest request, ServerCallContext context) =>
        State(() => StateRequests.Get(sidecar, request));

    public Task<P.GetBulkStateResponse> GetBulkState(P.GetBulkStateRequest request, ServerCallContext context) =>
        State(() => StateRequests.GetBulk(sidecar, request));

    public Task<Empty> DeleteState(P.DeleteStateRequest request, ServerCallContext context) =>
        State(() => Done(() => StateRequests.Delete(sidecar, request)));

    public Task<Empty> DeleteBulkState(P.DeleteBulkStateRequest request, ServerCallContext context) =>
        State(() => Done(() => StateRequests.DeleteBulk(sidecar, request)));

    public Task<Empty> ExecuteStateTransaction(P.ExecuteStateTransactionRequest request, ServerCallContext context) =>
        State(() => Done(() => StateRequests.Transact(sidecar, request)));

    public Task<Empty> PublishEvent(P.PublishEventRequest request, ServerCallContext context) =>
        Call(sidecar.Faults.TakePublishFailure, "ERR_PUBSUB_PUBLISH_MESSAGE",
            () => Done(() => PublishRequests.Publish(sidecar, request, context)));

    private Task<T> State<T>(Func<T> call) =>
        Call(sidecar.Faults.TakeStateFailure, "ERR_STATE_STORE_UNAVAILABLE", call);

    private Task<T> Call<T>(Func<bool> takeFailure, string failureCode, Func<T> call)
    {
        try
        {
            if (!sidecar.IsReady)
            {
                throw DaprApiException.Unavailable("ERR_HEALTH_NOT_READY", "dapr is not ready");
            }

            if (takeFailure())
            {
                throw DaprApiException.Unavailable(
                    failureCode, $"the sidecar double of {sidecar.AppId} was told to fail");
            }

            return Task.FromResult(call());
        }
        catch (DaprApiException e)
        {
            throw e.ToRpcException();
        }
    }

    private static Empty Done(Action action)
    {
        action();
        return new Empty();
    }
}
