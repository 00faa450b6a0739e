using System.Diagnostics;
using WasmWizard.Audit.Storage;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Ports;
using static WasmWizard.Audit.Tests.Infrastructure.Events;

namespace WasmWizard.Audit.Tests.Contracts;

/// <summary>This part of the contract: the hash chains, their verification, retention, and a volume report.</summary>
public abstract partial class AuditStoreContract
{
    [Fact]
    public async Task Verify_UntouchedChains_Intact()
    {
        var a = Guid.CreateVersion7();
        var b = Guid.CreateVersion7();
        await AppendAsync([New(a), New(b), New(null), New(a), New(a)]);

        var all = await Store.VerifyAsync(AuditChainScope.All, Token);
        var one = await Store.VerifyAsync(AuditChainScope.Tenant(a), Token);
        var tenantless = await Store.VerifyAsync(new AuditChainScope(null, false), Token);
        var unknown = await Store.VerifyAsync(AuditChainScope.Tenant(Guid.CreateVersion7()), Token);

        Assert.Equal((true, 5L, 3), (all.Intact, all.EventsChecked, all.ChainsChecked));
        Assert.Empty(all.Breaks);
        Assert.Equal((true, 3L, 1), (one.Intact, one.EventsChecked, one.ChainsChecked));
        Assert.Equal((true, 1L, 1), (tenantless.Intact, tenantless.EventsChecked, tenantless.ChainsChecked));
        Assert.Equal((true, 0L, 0), (unknown.Intact, unknown.EventsChecked, unknown.ChainsChecked));
    }

    [Fact]
    public async Task Update_WithoutLiftingTheGuard_Refused()
    {
        var events = await AppendAsync([New(null)]);

        await Assert.ThrowsAnyAsync<Exception>(() => Backend.ExecuteAsync(
            "UPDATE audit_log SET actor = 'evil' WHERE id = @id", false, ("id", Backend.Key(events[0].Id))));

        Assert.True((await Store.VerifyAsync(AuditChainScope.All, Token)).Intact);
    }

    [Theory]
    [InlineData("actor", "evil")]
    [InlineData("type", "key.revoked")]
    [InlineData("details", "{\"tier\":\"enterprise\",\"reason\":\"test\"}")]
    [InlineData("source", "executor")]
    public async Task Verify_ModifiedRow_ContentChangedThere(string column, string value)
    {
        var (tenant, events) = await ChainAsync(4);
        var other = await AppendAsync([New(Guid.CreateVersion7())]);

        // The column is one of the test's own constants: identifiers take no parameters.
        await Backend.ExecuteAsync(
            $"UPDATE audit_log SET {column} = @value WHERE id = @id", true, ("value", value), ("id", Backend.Key(events[2].Id)));

        var report = await Store.VerifyAsync(AuditChainScope.All, Token);
        Assert.False(report.Intact);
        Assert.Equal([new ChainBreak(tenant, 3, events[2].Id, ChainProblems.ContentChanged)], report.Breaks);
        Assert.True((await Store.VerifyAsync(AuditChainScope.Tenant(other[0].TenantId!.Value), Token)).Intact);
    }

    [Fact]
    public async Task Verify_ModifiedRowWithItsHashRecomputed_LinkBrokenAtTheNext()
    {
        var (tenant, events) = await ChainAsync(4);
        var forged = AuditChain.Normalize(events[1] with { Actor = "evil" });
        var previous = AuditChain.Hash(AuditChain.Genesis.Span, AuditChain.Normalize(events[0]));

        await Backend.ExecuteAsync(
            "UPDATE audit_log SET actor = 'evil', row_hash = @hash WHERE id = @id",
            true,
            ("hash", AuditChain.Hash(previous, forged)),
            ("id", Backend.Key(events[1].Id)));

        var report = await Store.VerifyAsync(AuditChainScope.Tenant(tenant), Token);
        Assert.Equal([new ChainBreak(tenant, 3, events[2].Id, ChainProblems.LinkBroken)], report.Breaks);
    }

    [Fact]
    public async Task Verify_DeletedRow_MissingThere()
    {
        var (tenant, events) = await ChainAsync(5);

        await Backend.ExecuteAsync("DELETE FROM audit_log WHERE id = @id", false, ("id", Backend.Key(events[1].Id)));

        var report = await Store.VerifyAsync(AuditChainScope.Tenant(tenant), Token);
        Assert.Equal([new ChainBreak(tenant, 2, null, ChainProblems.Missing)], report.Breaks);
        Assert.Equal(4, report.EventsChecked);
    }

    [Fact]
    public async Task Verify_DeletedNewestRow_Missing()
    {
        var (tenant, events) = await ChainAsync(3);

        await Backend.ExecuteAsync("DELETE FROM audit_log WHERE id = @id", false, ("id", Backend.Key(events[2].Id)));

        var report = await Store.VerifyAsync(AuditChainScope.Tenant(tenant), Token);
        Assert.Equal([new ChainBreak(tenant, 3, null, ChainProblems.Missing)], report.Breaks);
    }

    [Fact]
    public async Task Verify_DeletedRowAndPositionsClosedUp_LinkBroken()
    {
        var (tenant, events) = await ChainAsync(4);

        await Backend.ExecuteAsync(
            "DELETE FROM audit_log WHERE id = @id; UPDATE audit_log SET position = position - 1 WHERE chain = @chain AND position > 2",
            true,
            ("id", Backend.Key(events[1].Id)),
            ("chain", Backend.Key(tenant)));

        var report = await Store.VerifyAsync(AuditChainScope.Tenant(tenant), Token);
        Assert.Equal([new ChainBreak(tenant, 2, events[2].Id, ChainProblems.LinkBroken)], report.Breaks);
    }

    [Fact]
    public async Task Verify_ReorderedRows_LinkBrokenAtTheFirstMoved()
    {
        var (tenant, events) = await ChainAsync(5);

        // Positions 2 and 3 swap places, through negative values to pass the unique constraint.
        await Backend.ExecuteAsync(
            """
            UPDATE audit_log SET position = -position WHERE chain = @chain AND position IN (2, 3);
            UPDATE audit_log SET position = 5 + position WHERE chain = @chain AND position < 0;
            """,
            true,
            ("chain", Backend.Key(tenant)));

        var report = await Store.VerifyAsync(AuditChainScope.All, Token);
        Assert.Equal([new ChainBreak(tenant, 2, events[2].Id, ChainProblems.LinkBroken)], report.Breaks);
    }

    [Fact]
    public async Task Remove_OldEventsInBatches_RestStillVerifiesAndTheChainGoesOn()
    {
        var tenant = Guid.CreateVersion7();
        var old = await AppendAsync(Enumerable.Range(0, 7).Select(i => New(i % 2 == 0 ? tenant : null, at: Epoch.AddDays(-30))));
        var recent = await AppendAsync(Enumerable.Range(0, 3).Select(i => New(i % 2 == 0 ? tenant : null, at: Epoch)));

        var batches = new List<int>();
        for (var removed = -1; removed != 0;)
        {
            removed = await Store.RemoveOlderThanAsync(Epoch.AddDays(-1), 3, Token);
            batches.Add(removed);
        }

        await AppendAsync([New(tenant), New(null)]);
        Assert.Equal([3, 3, 1, 0], batches);
        Assert.Equal(recent.Count + 2, (await Store.ListAsync(100, Token)).Count);
        var report = await Store.VerifyAsync(AuditChainScope.All, Token);
        Assert.True(report.Intact, string.Join(", ", report.Breaks));
        Assert.Equal((5L, 2), (report.EventsChecked, report.ChainsChecked));
        Assert.DoesNotContain((await Store.ListAsync(100, Token)).Select(e => e.Id), id => old.Any(o => o.Id == id));
    }

    [Fact]
    public async Task Remove_OldEventAfterANewerOne_KeptSoTheChainHasNoHole()
    {
        var tenant = Guid.CreateVersion7();
        // A late delivery: the third event occurred long ago but was appended after a recent one.
        var events = await AppendAsync([
            New(tenant, at: Epoch.AddDays(-9)), New(tenant, at: Epoch), New(tenant, at: Epoch.AddDays(-9))]);

        var removed = await Store.RemoveOlderThanAsync(Epoch.AddDays(-1), 100, Token);

        Assert.Equal(1, removed);
        Assert.Equal([events[2].Id, events[1].Id], (await Store.ListAsync(10, Token)).Select(e => e.Id));
        Assert.True((await Store.VerifyAsync(AuditChainScope.Tenant(tenant), Token)).Intact);
    }

    [Fact]
    public async Task Remove_EveryEvent_EmptyChainVerifiesAndContinues()
    {
        var (tenant, _) = await ChainAsync(3, Epoch.AddDays(-5));

        Assert.Equal(3, await Store.RemoveOlderThanAsync(Epoch, 100, Token));
        var empty = await Store.VerifyAsync(AuditChainScope.Tenant(tenant), Token);
        var next = await AppendAsync([New(tenant)]);
        var after = await Store.VerifyAsync(AuditChainScope.Tenant(tenant), Token);

        Assert.Equal((true, 0L, 1), (empty.Intact, empty.EventsChecked, empty.ChainsChecked));
        Assert.True(after.Intact, string.Join(", ", after.Breaks));
        Assert.Equal(next[0].Id, Assert.Single(await Store.ListAsync(10, Token)).Id);
    }

    [Fact]
    public async Task Remove_ThenDeleteTheFirstRemaining_Missing()
    {
        var (tenant, _) = await ChainAsync(5, Epoch.AddDays(-5));
        var recent = await AppendAsync([New(tenant), New(tenant)]);
        await Store.RemoveOlderThanAsync(Epoch.AddDays(-1), 100, Token);

        await Backend.ExecuteAsync("DELETE FROM audit_log WHERE id = @id", false, ("id", Backend.Key(recent[0].Id)));

        var report = await Store.VerifyAsync(AuditChainScope.Tenant(tenant), Token);
        Assert.Equal([new ChainBreak(tenant, 6, null, ChainProblems.Missing)], report.Breaks);
    }

    [Fact]
    public async Task Remove_ThenModifyARemaining_ContentChanged()
    {
        var (tenant, _) = await ChainAsync(4, Epoch.AddDays(-5));
        var recent = await AppendAsync([New(tenant), New(tenant)]);
        await Store.RemoveOlderThanAsync(Epoch.AddDays(-1), 100, Token);

        await Backend.ExecuteAsync(
            "UPDATE audit_log SET subject = 'user:someone-else' WHERE id = @id", true, ("id", Backend.Key(recent[0].Id)));

        var report = await Store.VerifyAsync(AuditChainScope.Tenant(tenant), Token);
        Assert.Equal([new ChainBreak(tenant, 5, recent[0].Id, ChainProblems.ContentChanged)], report.Breaks);
    }

    [Fact]
    public async Task Remove_NothingOldEnough_RemovesNothing()
    {
        await ChainAsync(3);

        Assert.Equal(0, await Store.RemoveOlderThanAsync(Epoch, 100, Token));
        Assert.Equal(3, (await Store.ListAsync(10, Token)).Count);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.RemoveOlderThanAsync(Epoch, 0, Token));
    }

    [Fact]
    public async Task TenThousandEvents_AppendedQueriedAndVerified_TimesReported()
    {
        const int count = 10_000;
        Guid?[] tenants = [.. Enumerable.Range(0, 20).Select(_ => (Guid?)Guid.CreateVersion7()), null];
        var events = Enumerable.Range(0, count)
            .Select(i => New(tenants[i % tenants.Length], actor: $"key:{i % 50}", at: Epoch.AddSeconds(i)))
            .ToList();
        var clock = Stopwatch.StartNew();

        await Parallel.ForEachAsync(
            events, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Token }, async (e, ct) =>
                Assert.True(await Store.AppendAsync(e, ct)));
        var appended = clock.Elapsed;

        clock.Restart();
        var all = await AllPagesAsync(new AuditQuery(null, Limit: AuditQuery.MaxLimit));
        var paged = clock.Elapsed;

        clock.Restart();
        var filtered = await AllPagesAsync(new AuditQuery(tenants[3], Actor: "key:3", Limit: 50));
        var oneTenant = await Store.QueryAsync(
            new AuditQuery(tenants[5], From: Epoch.AddSeconds(5000), To: Epoch.AddSeconds(6000)), Token);
        var queried = clock.Elapsed;

        clock.Restart();
        var report = await Store.VerifyAsync(AuditChainScope.All, Token);
        var verified = clock.Elapsed;

        clock.Restart();
        var removed = await Store.RemoveOlderThanAsync(Epoch.AddSeconds(count / 2), count, Token);
        var retained = clock.Elapsed;

        var timings =
            $"{GetType().Name}: {count} events appended (8 writers, {tenants.Length} chains) in {appended.TotalMilliseconds:F0} ms "
            + $"({count / appended.TotalSeconds:F0}/s); all paged ({AuditQuery.MaxLimit} a page) in {paged.TotalMilliseconds:F0} ms; "
            + $"two filtered queries in {queried.TotalMilliseconds:F0} ms; verified in {verified.TotalMilliseconds:F0} ms; "
            + $"{removed} removed in {retained.TotalMilliseconds:F0} ms";
        TestContext.Current.SendDiagnosticMessage(timings);
        TestContext.Current.TestOutputHelper?.WriteLine(timings);
        Assert.Equal(count, all.Count);
        Assert.Equal(count, all.Select(e => e.Id).Distinct().Count());
        var expected = events.Where(e => e.TenantId == tenants[3] && e.Actor == "key:3").Select(e => e.Id);
        Assert.Equal(expected.Order(), filtered.Select(e => e.Id).Order());
        Assert.Equal(48, oneTenant.Events.Count);
        Assert.True(report.Intact, string.Join(", ", report.Breaks));
        Assert.Equal(count, report.EventsChecked);
        // Parallel writers append a chain's events slightly out of time order, and retention only takes a chain's
        // prefix, so a few older events may stay.
        Assert.InRange(removed, count / 2 * 9 / 10, count / 2);
        Assert.True((await Store.VerifyAsync(AuditChainScope.All, Token)).Intact);
    }

    /// <summary>One tenant's chain of <paramref name="length"/> events.</summary>
    private async Task<(Guid Tenant, List<AuditEvent> Events)> ChainAsync(int length, DateTimeOffset? at = null)
    {
        var tenant = Guid.CreateVersion7();
        return (tenant, await AppendAsync(Enumerable.Range(0, length).Select(_ => New(tenant, at: at))));
    }
}
