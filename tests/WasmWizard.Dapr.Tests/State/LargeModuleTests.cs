using Dapr.Client;
using WasmWizard.Dapr.Tests.Infrastructure;
using WasmWizard.DaprDouble;
using WasmWizard.Shared.Dapr;
using WasmWizard.Shared.Dapr.State;
using static WasmWizard.Dapr.Tests.Infrastructure.TestData;

namespace WasmWizard.Dapr.Tests.State;

/// <summary>Modules near the 16 MiB cap through gRPC, and what the default 4 MiB limits do to them.</summary>
public sealed class LargeModuleTests : DaprStoreFixture
{
    private const int Size = 15 * 1024 * 1024;

    [Fact]
    public async Task Add_FifteenMebibyteModule_RoundTripsAsRawBytesTheExecutorCanRead()
    {
        var bytes = Bytes(15, Size);
        var module = Module(Guid.CreateVersion7(), bytes);

        await Dapr.Modules.AddAsync(module, bytes, Token);

        Assert.Equal(bytes, await Dapr.Modules.GetBytesAsync(module.Sha256, Token));
        var key = DaprStateKeys.ModuleBytes(module.Sha256);
        Assert.Equal(bytes, Dapr.Stored(key)!.Value.ToArray());
        var seenByExecutor = await Dapr.ExecutorClient.GetByteStateAsync(
            DaprNames.StateStore, key, cancellationToken: Token);
        Assert.Equal(bytes, seenByExecutor.ToArray());
    }

    [Fact]
    public async Task GetBytes_ClientWithDefaultLimit_FailsClearlyInsteadOfTruncating()
    {
        var bytes = Bytes(16, Size);
        var module = Module(Guid.CreateVersion7(), bytes);
        await Dapr.Modules.AddAsync(module, bytes, Token);
        using var defaultClient = DaprBackend.ClientFor(Dapr.Api, limit: null);
        var store = new DaprModuleStore(defaultClient, TimeProvider.System);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => store.GetBytesAsync(module.Sha256, Token));

        Assert.Contains("gRPC size limit", error.Message, StringComparison.Ordinal);
        Assert.Equal(bytes, await Dapr.Modules.GetBytesAsync(module.Sha256, Token));
    }

    [Fact]
    public async Task Add_SidecarWithDefaultBodyLimit_IsRefusedAndStoresNothing()
    {
        await using var small = await DaprBackend.StartAsync(SidecarDoubleOptions.DefaultMaxBodySize);
        var bytes = Bytes(17, Size);
        var module = Module(Guid.CreateVersion7(), bytes);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => small.Modules.AddAsync(module, bytes, Token));

        Assert.Contains("--max-body-size", error.Message, StringComparison.Ordinal);
        Assert.Null(await small.Modules.GetAsync(module.Id, Token));
        Assert.Null(await small.Modules.GetBytesAsync(module.Sha256, Token));
        Assert.Equal(0, (await small.Modules.GetUsageAsync(module.OwnerId, Token)).Modules);
    }
}
