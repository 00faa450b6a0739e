using WasmWizard.Shared.Ports;
using static WasmWizard.Audit.Tests.Infrastructure.Events;

namespace WasmWizard.Audit.Tests.Contracts;

/// <summary>
/// Deletions that reach the chain heads too. Rows left without a head are reported; a chain deleted whole, head and
/// all, can only be shown by comparing the heads a report lists with a copy kept elsewhere. And a lost head never
/// stops a tenant's later events from being kept.
/// </summary>
public abstract partial class AuditStoreContract
{
    [Fact]
    public async Task Verify_NewestRowsDeletedTogetherWithTheChainHead_HeadMissing()
    {
        var (tenant, events) = await ChainAsync(5);

        // The two newest events go, and with them the chain's row in audit_chains: nothing says how long the chain
        // was, but rows without a head are themselves the sign.
        await Backend.ExecuteAsync(
            "DELETE FROM audit_log WHERE id = @a OR id = @b; DELETE FROM audit_chains WHERE chain = @chain",
            false,
            ("a", Backend.Key(events[3].Id)),
            ("b", Backend.Key(events[4].Id)),
            ("chain", Backend.Key(tenant)));

        var report = await Store.VerifyAsync(AuditChainScope.Tenant(tenant), Token);
        Assert.False(report.Intact, "Two events and the chain head were deleted, yet the chain verifies as intact.");
        Assert.Equal(new ChainBreak(tenant, 3, null, ChainProblems.HeadMissing), Assert.Single(report.Breaks));
    }

    [Fact]
    public async Task Verify_ChainWithRowsButNoHead_HeadMissing()
    {
        var (tenant, _) = await ChainAsync(3);

        await Backend.ExecuteAsync("DELETE FROM audit_chains WHERE chain = @chain", false, ("chain", Backend.Key(tenant)));

        var report = await Store.VerifyAsync(AuditChainScope.All, Token);
        Assert.False(report.Intact, "A chain whose head record is gone verifies as intact.");
        Assert.Equal(ChainProblems.HeadMissing, Assert.Single(report.Breaks).Problem);
    }

    [Fact]
    public async Task Verify_ATenantsWholeTrailDeleted_ShownOnlyByTheHeadsKeptElsewhere()
    {
        var (victim, _) = await ChainAsync(4);
        await ChainAsync(2);
        var before = await Store.VerifyAsync(AuditChainScope.All, Token);

        await Backend.ExecuteAsync(
            "DELETE FROM audit_log WHERE chain = @chain; DELETE FROM audit_chains WHERE chain = @chain",
            false,
            ("chain", Backend.Key(victim)));
        var after = await Store.VerifyAsync(AuditChainScope.All, Token);

        // What remains is consistent, so the report is intact; the copy of the earlier heads is what shows the loss.
        var head = Assert.Single(before.Heads, h => h.TenantId == victim);
        Assert.Equal(4, head.Position);
        Assert.Matches("^[0-9a-f]{64}$", head.Hash);
        Assert.True(after.Intact);
        Assert.DoesNotContain(after.Heads, h => h.TenantId == victim);
    }

    [Fact]
    public async Task Append_AfterTheChainHeadWasDeleted_ContinuesAfterTheNewestRow()
    {
        var (tenant, _) = await ChainAsync(3);
        await Backend.ExecuteAsync("DELETE FROM audit_chains WHERE chain = @chain", false, ("chain", Backend.Key(tenant)));

        var appended = await Store.AppendAsync(New(tenant), Token);
        var report = await Store.VerifyAsync(AuditChainScope.Tenant(tenant), Token);

        Assert.True(appended);
        Assert.True(report.Intact, string.Join(", ", report.Breaks));
        Assert.Equal(4, Assert.Single(report.Heads).Position);
    }
}
