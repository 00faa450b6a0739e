using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using WasmWizard.DaprDouble.Hosting;
using WasmWizard.DaprDouble.State;
using P = Dapr.Client.Autogen.Grpc.v1;

namespace WasmWizard.DaprDouble.Grpc;

/// <summary>The state calls of the gRPC API, turned into writes and reads of the network's state stores.</summary>
internal static class StateRequests
{
    public static void Save(SidecarDouble sidecar, P.SaveStateRequest request)
    {
        var store = Store(sidecar, request.StoreName);
        var writes = request.States
            .Select(item => new StateWrite(
                Key(sidecar, store, item.Key), item.Value.ToByteArray(), item.Etag?.Value, IsFirstWrite(item.Options)))
            .ToList();
        Apply(store, writes, atomic: false, "failed saving state in state store");
    }

    public static P.GetStateResponse Get(SidecarDouble sidecar, P.GetStateRequest request)
    {
        var store = Store(sidecar, request.StoreName);
        var entry = store.Get(Key(sidecar, store, request.Key));
        return entry is null
            ? new P.GetStateResponse()
            : new P.GetStateResponse { Data = ByteString.CopyFrom(entry.Value.Span), Etag = entry.ETag };
    }

    public static P.GetBulkStateResponse GetBulk(SidecarDouble sidecar, P.GetBulkStateRequest request)
    {
        var store = Store(sidecar, request.StoreName);
        var response = new P.GetBulkStateResponse();
        foreach (var key in request.Keys)
        {
            // A missing key comes back as an item with no data, as daprd does.
            var entry = store.Get(Key(sidecar, store, key));
            response.Items.Add(entry is null
                ? new P.BulkStateItem { Key = key }
                : new P.BulkStateItem { Key = key, Data = ByteString.CopyFrom(entry.Value.Span), Etag = entry.ETag });
        }

        return response;
    }

    public static void Delete(SidecarDouble sidecar, P.DeleteStateRequest request)
    {
        var store = Store(sidecar, request.StoreName);
        var write = new StateWrite(Key(sidecar, store, request.Key), null, request.Etag?.Value, FirstWrite: false);
        Apply(store, [write], atomic: false, "failed deleting state with key " + request.Key);
    }

    public static void DeleteBulk(SidecarDouble sidecar, P.DeleteBulkStateRequest request)
    {
        var store = Store(sidecar, request.StoreName);
        var writes = request.States
            .Select(item => new StateWrite(Key(sidecar, store, item.Key), null, item.Etag?.Value, FirstWrite: false))
            .ToList();
        Apply(store, writes, atomic: false, "failed deleting state in state store");
    }

    public static void Transact(SidecarDouble sidecar, P.ExecuteStateTransactionRequest request)
    {
        var store = Store(sidecar, request.StoreName);
        var writes = new List<StateWrite>();
        foreach (var operation in request.Operations)
        {
            var item = operation.Request ?? new P.StateItem();
            var key = Key(sidecar, store, item.Key);
            var etag = item.Etag?.Value;
            writes.Add(operation.OperationType switch
            {
                "upsert" => new StateWrite(key, item.Value.ToByteArray(), etag, IsFirstWrite(item.Options)),
                "delete" => new StateWrite(key, null, etag, FirstWrite: false),
                var other => throw DaprApiException.InvalidArgument(
                    "ERR_NOT_SUPPORTED_STATE_OPERATION", $"operation type {other} not supported"),
            });
        }

        if (writes.Any(w => w.ETag is not null) && sidecar.Faults.StateConflicts)
        {
            // Another writer always got there first: what a record many replicas update at once looks like.
            throw new DaprApiException(StatusCode.Aborted, StatusCodes.Status409Conflict,
                "ERR_STATE_TRANSACTION", $"error while executing state transaction {store.Name}: possible etag mismatch");
        }

        Apply(store, writes, atomic: true, "error while executing state transaction");
    }

    private static StateStoreDouble Store(SidecarDouble sidecar, string name)
    {
        if (string.IsNullOrEmpty(name) || sidecar.Network.FindStateStore(name) is not { } store)
        {
            throw DaprApiException.InvalidArgument("ERR_STATE_STORE_NOT_FOUND", $"state store {name} is not found");
        }

        return store;
    }

    private static string Key(SidecarDouble sidecar, StateStoreDouble store, string key)
    {
        try
        {
            return store.StoredKey(sidecar.AppId, key);
        }
        catch (ArgumentException e)
        {
            throw DaprApiException.InvalidArgument("ERR_MALFORMED_REQUEST", e.Message);
        }
    }

    private static bool IsFirstWrite(P.StateOptions? options) =>
        options?.Concurrency == P.StateOptions.Types.StateConcurrency.ConcurrencyFirstWrite;

    private static void Apply(StateStoreDouble store, IReadOnlyList<StateWrite> writes, bool atomic, string context)
    {
        try
        {
            store.Apply(writes, atomic);
        }
        catch (StateETagException e)
        {
            // A mismatch is Aborted (HTTP 409), which TrySaveStateAsync turns into false; a malformed ETag is not.
            throw e.Malformed
                ? new DaprApiException(StatusCode.InvalidArgument, StatusCodes.Status400BadRequest,
                    "ERR_STATE_SAVE", $"{context} {store.Name}: {e.Message}")
                : new DaprApiException(StatusCode.Aborted, StatusCodes.Status409Conflict,
                    "ERR_STATE_SAVE", $"{context} {store.Name}: {e.Message}");
        }
    }
}
