using Dapr;
using Grpc.Core;
using WasmWizard.DaprDouble.Tests.Infrastructure;

namespace WasmWizard.DaprDouble.Tests.State;

/// <summary>The switches that make a sidecar fail on purpose, and the gRPC methods the double leaves out.</summary>
public sealed class FaultTests
{
    private const string Store = SidecarNetworkOptions.DefaultStateStore;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FailNextStateCalls_One_FirstCallIsUnavailableAndTheNextSucceeds()
    {
        await using var sidecar = await SidecarDouble.StartAsync(new() { AppId = "api" }, Token);
        using var client = Clients.For(sidecar);
        sidecar.Faults.FailNextStateCalls(1);

        var error = await Assert.ThrowsAsync<DaprException>(
            () => client.SaveStateAsync(Store, "k", 1, cancellationToken: Token));
        await client.SaveStateAsync(Store, "k", 2, cancellationToken: Token);

        Assert.Equal(StatusCode.Unavailable, Assert.IsType<RpcException>(error.InnerException).StatusCode);
        Assert.Equal(2, await client.GetStateAsync<int>(Store, "k", cancellationToken: Token));
    }

    [Fact]
    public async Task PublishUnavailable_PublishFailsAndNothingIsPublished()
    {
        await using var sidecar = await SidecarDouble.StartAsync(new() { AppId = "api" }, Token);
        using var client = Clients.For(sidecar);
        sidecar.Faults.PublishUnavailable = true;

        var error = await Assert.ThrowsAsync<DaprException>(
            () => client.PublishEventAsync("pubsub", "orders", new Order("o", 1), Token));

        Assert.Equal(StatusCode.Unavailable, Assert.IsType<RpcException>(error.InnerException).StatusCode);
        Assert.Empty(sidecar.Network.Published);
    }

    [Fact]
    public async Task GetMetadata_NotBound_IsUnimplemented()
    {
        await using var sidecar = await SidecarDouble.StartAsync(new() { AppId = "api" }, Token);
        using var client = Clients.For(sidecar);

        var error = await Assert.ThrowsAsync<DaprException>(() => client.GetMetadataAsync(Token));

        Assert.Equal(StatusCode.Unimplemented, Assert.IsType<RpcException>(error.InnerException).StatusCode);
    }
}
