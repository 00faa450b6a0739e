using WasmWizard.Dapr.Tests.Infrastructure;

namespace WasmWizard.Dapr.Tests.State;

/// <summary>Base of the Dapr-only tests: a fresh <see cref="DaprBackend"/> per test.</summary>
public abstract class DaprStoreFixture : IAsyncLifetime
{
    /// <summary>The stores, their sidecars and the state they share.</summary>
    protected DaprBackend Dapr { get; private set; } = null!;

    /// <summary>The test's cancellation token.</summary>
    protected static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <inheritdoc />
    public async ValueTask InitializeAsync() => Dapr = await DaprBackend.StartAsync();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Dapr.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
