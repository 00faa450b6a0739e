using WasmWizard.Dapr.Tests.Infrastructure;

namespace WasmWizard.Dapr.Tests.Contracts;

/// <summary>
/// Base of the contract tests: each runs once per implementation (a subclass names the backend), with the same
/// assertions, against a backend of its own.
/// </summary>
public abstract class StoreContract(Func<Task<StorageBackend>> start) : IAsyncLifetime
{
    /// <summary>The implementation under test.</summary>
    protected StorageBackend Backend { get; private set; } = null!;

    /// <summary>The test's cancellation token.</summary>
    protected static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <inheritdoc />
    public async ValueTask InitializeAsync() => Backend = await start();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Backend.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
