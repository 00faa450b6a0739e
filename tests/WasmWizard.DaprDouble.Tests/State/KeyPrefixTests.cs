using Dapr.Client;
using WasmWizard.DaprDouble.State;
using WasmWizard.DaprDouble.Tests.Infrastructure;

namespace WasmWizard.DaprDouble.Tests.State;

/// <summary>Two apps on one state store see each other's keys only when the store's keyPrefix says so.</summary>
public sealed class KeyPrefixTests : IAsyncLifetime
{
    private const string PerApp = "statestore";
    private const string Shared = "shared";

    private readonly SidecarNetwork _network = new(new SidecarNetworkOptions { ActorStateStore = PerApp }
        .AddStateStore(PerApp)
        .AddStateStore(Shared, KeyPrefix.Name));

    private DaprClient _api = null!;
    private DaprClient _executor = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var api = await SidecarDouble.StartAsync(new() { AppId = "api", Network = _network }, Token);
        var executor = await SidecarDouble.StartAsync(new() { AppId = "executor", Network = _network }, Token);
        _api = Clients.For(api);
        _executor = Clients.For(executor);
    }

    public async ValueTask DisposeAsync()
    {
        _api.Dispose();
        _executor.Dispose();
        await _network.DisposeAsync();
    }

    [Fact]
    public async Task GetState_AppIdPrefix_OtherAppDoesNotSeeTheKey()
    {
        await _api.SaveStateAsync(PerApp, "module-1", "from api", cancellationToken: Token);

        var seen = await _executor.GetStateAsync<string>(PerApp, "module-1", cancellationToken: Token);

        Assert.Null(seen);
        Assert.Equal(["api||module-1"], _network.StateStore(PerApp).Entries.Keys);
    }

    [Fact]
    public async Task GetState_NamePrefix_OtherAppSeesTheKey()
    {
        await _api.SaveStateAsync(Shared, "module-1", "from api", cancellationToken: Token);

        var seen = await _executor.GetStateAsync<string>(Shared, "module-1", cancellationToken: Token);

        Assert.Equal("from api", seen);
        Assert.Equal(["shared||module-1"], _network.StateStore(Shared).Entries.Keys);
    }

    [Theory]
    [InlineData(KeyPrefix.AppId, "api||k")]
    [InlineData(KeyPrefix.Namespace, "api||k")]
    [InlineData(KeyPrefix.Name, "store||k")]
    [InlineData(KeyPrefix.None, "k")]
    [InlineData("Tenant-A", "tenant-a||k")]
    public void Apply_EachMode_PrefixesAsDaprdDoes(string mode, string expected)
    {
        Assert.Equal(expected, KeyPrefix.Apply(mode, "store", "api", "k"));
    }
}
