using WasmWizard.Audit.Storage;
using WasmWizard.Audit.Tests.Infrastructure;
using WasmWizard.Shared.Ports;
using static WasmWizard.Audit.Tests.Infrastructure.Events;

namespace WasmWizard.Audit.Tests.Postgres;

/// <summary>What only the PostgreSQL store has to get right: several replicas writing one trail.</summary>
public sealed class PostgresAuditStoreSpecificTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Append_SameIdUnderTwoTenantsAtOnce_KeptOnceAndBothChainsIntact()
    {
        await using var backend = await PostgresAuditBackend.StartAsync(database);
        var replica = await backend.ReplicaAsync();

        // The two deliveries lock different chain heads, so only the unique id can settle which one is kept.
        for (var round = 0; round < 20; round++)
        {
            var sent = New(Guid.CreateVersion7());
            var twin = sent with { TenantId = Guid.CreateVersion7() };
            var both = await Task.WhenAll(
                Task.Run(() => backend.Store.AppendAsync(sent, Token), Token),
                Task.Run(() => replica.AppendAsync(twin, Token), Token));
            Assert.Equal(1, both.Count(added => added));
        }

        var report = await backend.Store.VerifyAsync(AuditChainScope.All, Token);
        Assert.True(report.Intact, string.Join(", ", report.Breaks));
        Assert.Equal(20, report.EventsChecked);
    }

    [Fact]
    public async Task Remove_TwoReplicasAtOnceWhileAppending_EachEventRemovedOnceAndChainsIntact()
    {
        await using var backend = await PostgresAuditBackend.StartAsync(database);
        var replica = await backend.ReplicaAsync();
        Guid?[] tenants = [Guid.CreateVersion7(), Guid.CreateVersion7(), null];
        for (var i = 0; i < 90; i++)
        {
            await backend.Store.AppendAsync(New(tenants[i % 3], at: Epoch.AddDays(-3)), Token);
        }

        var removing = Enumerable.Range(0, 2).Select(i => Task.Run(
            async () =>
            {
                var total = 0;
                for (int removed; (removed = await (i == 0 ? backend.Store : replica).RemoveOlderThanAsync(Epoch, 7, Token)) > 0;)
                {
                    total += removed;
                }

                return total;
            },
            Token)).ToList();
        var appending = Task.Run(
            async () =>
            {
                for (var i = 0; i < 30; i++)
                {
                    await replica.AppendAsync(New(tenants[i % 3]), Token);
                }
            },
            Token);
        var totals = await Task.WhenAll(removing);
        await appending;

        Assert.Equal(90, totals.Sum());
        var report = await backend.Store.VerifyAsync(AuditChainScope.All, Token);
        Assert.True(report.Intact, string.Join(", ", report.Breaks));
        Assert.Equal((30L, 3), (report.EventsChecked, report.ChainsChecked));
    }

    [Fact]
    public async Task Ping_DatabaseGone_Throws()
    {
        await using var nowhere = Npgsql.NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Timeout=2");
        var store = new PostgresAuditEventStore(nowhere);

        await Assert.ThrowsAnyAsync<Exception>(() => store.PingAsync(Token));
    }
}
