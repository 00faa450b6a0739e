using System.Text.Json;
using Dapr;
using Dapr.Client;
using Grpc.Core;
using WasmWizard.DaprDouble.Tests.Infrastructure;

namespace WasmWizard.DaprDouble.Tests.State;

/// <summary>The gRPC state API through the real <see cref="DaprClient"/>.</summary>
public sealed class StateApiTests : IAsyncLifetime
{
    private const string Store = SidecarNetworkOptions.DefaultStateStore;

    private SidecarDouble _sidecar = null!;
    private DaprClient _client = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _sidecar = await SidecarDouble.StartAsync(new SidecarDoubleOptions { AppId = "api" }, Token);
        _client = Clients.For(_sidecar);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _sidecar.DisposeAsync();
    }

    [Fact]
    public async Task SaveState_ThenGetState_RoundTripsTheRecord()
    {
        await _client.SaveStateAsync(Store, "order-1", new Order("order-1", 3), cancellationToken: Token);

        var order = await _client.GetStateAsync<Order>(Store, "order-1", cancellationToken: Token);

        Assert.Equal(new Order("order-1", 3), order);
        var stored = _sidecar.Network.StateStore(Store).Get("api||order-1");
        Assert.NotNull(stored);
        Assert.Equal("""{"id":"order-1","quantity":3}""", stored.ValueAsString());
    }

    [Fact]
    public async Task GetState_MissingKey_ReturnsDefault()
    {
        var order = await _client.GetStateAsync<Order>(Store, "nothing-here", cancellationToken: Token);

        Assert.Null(order);
    }

    [Fact]
    public async Task TrySaveState_CurrentETag_SavesAndStaleETag_IsRefused()
    {
        await _client.SaveStateAsync(Store, "k", new Order("k", 1), cancellationToken: Token);
        var (_, etag) = await _client.GetStateAndETagAsync<Order>(Store, "k", cancellationToken: Token);

        var first = await _client.TrySaveStateAsync(Store, "k", new Order("k", 2), etag, cancellationToken: Token);
        var second = await _client.TrySaveStateAsync(Store, "k", new Order("k", 3), etag, cancellationToken: Token);

        Assert.True(first);
        Assert.False(second);
        Assert.Equal(2, (await _client.GetStateAsync<Order>(Store, "k", cancellationToken: Token)).Quantity);
    }

    [Fact]
    public async Task TryDeleteState_StaleETag_IsRefusedAndCurrentETag_Deletes()
    {
        await _client.SaveStateAsync(Store, "k", 1, cancellationToken: Token);
        var (_, stale) = await _client.GetStateAndETagAsync<int>(Store, "k", cancellationToken: Token);
        await _client.SaveStateAsync(Store, "k", 2, cancellationToken: Token);
        var (_, current) = await _client.GetStateAndETagAsync<int>(Store, "k", cancellationToken: Token);

        Assert.False(await _client.TryDeleteStateAsync(Store, "k", stale, cancellationToken: Token));
        Assert.True(await _client.TryDeleteStateAsync(Store, "k", current, cancellationToken: Token));

        Assert.Null(_sidecar.Network.StateStore(Store).Get("api||k"));
    }

    [Fact]
    public async Task SaveState_FirstWriteOnAnExistingKey_IsAborted()
    {
        var firstWrite = new StateOptions { Concurrency = ConcurrencyMode.FirstWrite };
        await _client.SaveStateAsync(Store, "once", 1, firstWrite, cancellationToken: Token);

        var error = await Assert.ThrowsAsync<DaprException>(
            () => _client.SaveStateAsync(Store, "once", 2, firstWrite, cancellationToken: Token));

        Assert.Equal(StatusCode.Aborted, Assert.IsType<RpcException>(error.InnerException).StatusCode);
        Assert.Equal(1, await _client.GetStateAsync<int>(Store, "once", cancellationToken: Token));
    }

    [Fact]
    public async Task ExecuteStateTransaction_OneStaleETag_ThrowsAndChangesNothing()
    {
        await _client.SaveStateAsync(Store, "a", 1, cancellationToken: Token);
        await _client.SaveStateAsync(Store, "b", 1, cancellationToken: Token);
        var (_, etagA) = await _client.GetStateAndETagAsync<int>(Store, "a", cancellationToken: Token);
        var (_, staleB) = await _client.GetStateAndETagAsync<int>(Store, "b", cancellationToken: Token);
        await _client.SaveStateAsync(Store, "b", 2, cancellationToken: Token);
        var before = _sidecar.Network.StateStore(Store).Entries;

        var error = await Assert.ThrowsAsync<DaprException>(() => _client.ExecuteStateTransactionAsync(
            Store,
            [
                new StateTransactionRequest("a", Json(10), StateOperationType.Upsert, etagA),
                new StateTransactionRequest("c", Json(10), StateOperationType.Upsert),
                new StateTransactionRequest("b", null, StateOperationType.Delete, staleB),
            ],
            cancellationToken: Token));

        Assert.Equal(StatusCode.Aborted, Assert.IsType<RpcException>(error.InnerException).StatusCode);
        Assert.Equal(before, _sidecar.Network.StateStore(Store).Entries);
    }

    [Fact]
    public async Task ExecuteStateTransaction_CurrentETags_AppliesEveryOperation()
    {
        await _client.SaveStateAsync(Store, "a", 1, cancellationToken: Token);
        await _client.SaveStateAsync(Store, "b", 1, cancellationToken: Token);
        var (_, etagA) = await _client.GetStateAndETagAsync<int>(Store, "a", cancellationToken: Token);
        var (_, etagB) = await _client.GetStateAndETagAsync<int>(Store, "b", cancellationToken: Token);

        await _client.ExecuteStateTransactionAsync(
            Store,
            [
                new StateTransactionRequest("a", Json(10), StateOperationType.Upsert, etagA),
                new StateTransactionRequest("b", null, StateOperationType.Delete, etagB),
            ],
            cancellationToken: Token);

        Assert.Equal(10, await _client.GetStateAsync<int>(Store, "a", cancellationToken: Token));
        Assert.Equal(["api||a"], _sidecar.Network.StateStore(Store).Entries.Keys);
    }

    [Fact]
    public async Task GetBulkState_SomeKeysMissing_ReturnsAnItemPerKey()
    {
        await _client.SaveStateAsync(Store, "x", new Order("x", 1), cancellationToken: Token);
        await _client.SaveStateAsync(Store, "y", new Order("y", 2), cancellationToken: Token);

        var items = await _client.GetBulkStateAsync(
            Store, ["x", "y", "z"], parallelism: null, cancellationToken: Token);

        Assert.Equal(["x", "y", "z"], items.Select(i => i.Key));
        Assert.Equal("""{"id":"y","quantity":2}""", items[1].Value);
        Assert.False(string.IsNullOrEmpty(items[0].ETag));
        Assert.True(string.IsNullOrEmpty(items[2].Value));
        Assert.True(string.IsNullOrEmpty(items[2].ETag));
    }

    [Fact]
    public async Task DeleteBulkState_RemovesEachKey()
    {
        await _client.SaveStateAsync(Store, "x", 1, cancellationToken: Token);
        await _client.SaveStateAsync(Store, "y", 2, cancellationToken: Token);

        await _client.DeleteBulkStateAsync(
            Store, [new BulkDeleteStateItem("x", etag: ""), new BulkDeleteStateItem("y", etag: "")], Token);

        Assert.Empty(_sidecar.Network.StateStore(Store).Entries);
    }

    [Fact]
    public async Task SaveState_ValueOverTheMaxBodySize_IsResourceExhausted()
    {
        var value = new byte[SidecarDoubleOptions.DefaultMaxBodySize];

        var error = await Assert.ThrowsAsync<DaprException>(
            () => _client.SaveByteStateAsync(Store, "big", value, cancellationToken: Token));

        Assert.Equal(StatusCode.ResourceExhausted, Assert.IsType<RpcException>(error.InnerException).StatusCode);
        Assert.Empty(_sidecar.Network.StateStore(Store).Entries);
    }

    [Fact]
    public async Task SaveState_UndeclaredStore_IsInvalidArgument()
    {
        var error = await Assert.ThrowsAsync<DaprException>(
            () => _client.SaveStateAsync("nosuchstore", "k", 1, cancellationToken: Token));

        Assert.Equal(StatusCode.InvalidArgument, Assert.IsType<RpcException>(error.InnerException).StatusCode);
    }

    [Fact]
    public async Task SaveState_KeyWithSeparator_IsInvalidArgument()
    {
        var error = await Assert.ThrowsAsync<DaprException>(
            () => _client.SaveStateAsync(Store, "a||b", 1, cancellationToken: Token));

        Assert.Equal(StatusCode.InvalidArgument, Assert.IsType<RpcException>(error.InnerException).StatusCode);
    }

    private static byte[] Json<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value);
}
