using WasmWizard.Shared.Ports;
using static WasmWizard.Audit.Tests.Infrastructure.Events;

namespace WasmWizard.Audit.Tests.Contracts;

/// <summary>
/// Review findings (branch review-audit): deletions that <c>/api/audit/verify</c> should find and does not. Each needs
/// only DELETE statements: no guard lifted, no hash recomputed.
/// </summary>
public abstract partial class AuditStoreContract
{
    [Fact]
    public async Task Verify_NewestRowsDeletedTogetherWithTheChainHead_ReportedIntact()
    {
        var (tenant, events) = await ChainAsync(5);

        // The two newest events go, and with them the chain's row in audit_chains: the verifier then has no head to
        // hold the rows against (ChainVerifier.End returns early when the state is null) and calls the rest intact.
        await Backend.ExecuteAsync(
            "DELETE FROM audit_log WHERE id = @a OR id = @b; DELETE FROM audit_chains WHERE chain = @chain",
            false,
            ("a", Backend.Key(events[3].Id)),
            ("b", Backend.Key(events[4].Id)),
            ("chain", Backend.Key(tenant)));

        var report = await Store.VerifyAsync(AuditChainScope.Tenant(tenant), Token);
        Assert.False(report.Intact, "Two events and the chain head were deleted, yet the chain verifies as intact.");
    }

    [Fact]
    public async Task Verify_ChainWithRowsButNoHead_ReportedIntact()
    {
        var (tenant, _) = await ChainAsync(3);

        await Backend.ExecuteAsync("DELETE FROM audit_chains WHERE chain = @chain", false, ("chain", Backend.Key(tenant)));

        var report = await Store.VerifyAsync(AuditChainScope.All, Token);
        Assert.False(report.Intact, "A chain whose head record is gone verifies as intact.");
    }

    [Fact]
    public async Task Verify_ATenantsWholeTrailDeleted_ReportedIntact()
    {
        var (victim, _) = await ChainAsync(4);
        await ChainAsync(2);

        await Backend.ExecuteAsync(
            "DELETE FROM audit_log WHERE chain = @chain; DELETE FROM audit_chains WHERE chain = @chain",
            false,
            ("chain", Backend.Key(victim)));

        var all = await Store.VerifyAsync(AuditChainScope.All, Token);
        Assert.False(all.Intact, "Every event of one tenant was deleted, yet verifying every chain reports intact.");
    }

    [Fact]
    public async Task Append_AfterTheChainHeadWasDeleted_ThrowsForEveryLaterEventOfThatTenant()
    {
        var (tenant, _) = await ChainAsync(3);
        await Backend.ExecuteAsync("DELETE FROM audit_chains WHERE chain = @chain", false, ("chain", Backend.Key(tenant)));

        // The next event restarts the chain at position 1, which exists: the UNIQUE (chain, position) constraint throws,
        // and every later event of this tenant is refused the same way (the embedded host's outbox retries it forever).
        var appended = await Record.ExceptionAsync(() => Store.AppendAsync(New(tenant), Token));
        Assert.Null(appended);
    }
}
