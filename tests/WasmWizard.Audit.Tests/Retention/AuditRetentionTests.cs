using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using WasmWizard.Audit.Tests.Infrastructure;
using WasmWizard.Shared.Ports;
using static WasmWizard.Audit.Tests.Infrastructure.Events;

namespace WasmWizard.Audit.Tests.Retention;

/// <summary>The retention job: removes what is older than the configured age, in batches, and the rest verifies.</summary>
public sealed class AuditRetentionTests : IAsyncLifetime
{
    private AuditBackend _backend = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _backend = await SqliteAuditBackend.StartAsync();

    public async ValueTask DisposeAsync() => await _backend.DisposeAsync();

    [Fact]
    public async Task Pass_RemovesEveryEventPastTheAge_AcrossBatches_RestVerifies()
    {
        var tenant = Guid.CreateVersion7();
        for (var i = 0; i < 5; i++)
        {
            await _backend.Store.AppendAsync(New(tenant, at: Epoch.AddDays(-40)), Token);
        }

        var kept = New(tenant, at: Epoch.AddDays(-10));
        await _backend.Store.AppendAsync(kept, Token);
        var retention = Retention(days: 30, batch: 2);

        var removed = await retention.RemoveExpiredAsync(Token);

        Assert.Equal(5, removed);
        Assert.Equal(kept.Id, Assert.Single(await _backend.Store.ListAsync(100, Token)).Id);
        Assert.True((await _backend.Store.VerifyAsync(AuditChainScope.Tenant(tenant), Token)).Intact);
    }

    [Fact]
    public async Task Pass_NoRetentionConfigured_KeepsEverything()
    {
        await _backend.Store.AppendAsync(New(null, at: Epoch.AddYears(-5)), Token);

        var removed = await Retention(days: null, batch: 100).RemoveExpiredAsync(Token);

        Assert.Equal(0, removed);
        Assert.Single(await _backend.Store.ListAsync(100, Token));
    }

    private AuditRetention Retention(int? days, int batch) => new(
        _backend.Store,
        Options.Create(new AuditOptions { RetentionDays = days, RetentionBatchSize = batch }),
        new FixedTime(Epoch),
        NullLogger<AuditRetention>.Instance);

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
