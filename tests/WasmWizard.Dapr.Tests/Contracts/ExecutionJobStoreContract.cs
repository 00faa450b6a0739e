using System.Text;
using WasmWizard.Dapr.Tests.Infrastructure;
using WasmWizard.Shared.Ports;
using static WasmWizard.Dapr.Tests.Infrastructure.TestData;

namespace WasmWizard.Dapr.Tests.Contracts;

/// <summary>What every <see cref="IExecutionJobStore"/> must do, as the SQLite store does it.</summary>
public abstract class ExecutionJobStoreContract(Func<Task<StorageBackend>> start) : StoreContract(start)
{
    private static readonly Guid ModuleA = NextId();
    private static readonly Guid ModuleB = NextId();

    private IExecutionJobStore Jobs => Backend.Jobs;

    [Fact]
    public async Task Create_NewJob_IsStoredQueuedAndReadBack()
    {
        var job = Job(NextId(), ModuleA);

        var (stored, created) = await Jobs.CreateAsync(job, Token);

        Assert.True(created);
        AssertSameJob(job, stored);
        AssertSameJob(job, await Jobs.GetAsync(job.TenantId, job.Id, Token));
    }

    [Fact]
    public async Task Create_SameKeyAgain_ReturnsTheFirstJobAndStoresNothing()
    {
        var tenant = NextId();
        var first = Job(tenant, ModuleA, "submit-1");
        await Jobs.CreateAsync(first, Token);
        var retry = Job(tenant, ModuleB, "submit-1");

        var (job, created) = await Jobs.CreateAsync(retry, Token);

        Assert.False(created);
        AssertSameJob(first, job);
        Assert.Null(await Jobs.GetAsync(tenant, retry.Id, Token));
        Assert.Single((await Jobs.ListAsync(new(tenant, null, null, 10, null), Token)).Jobs);
    }

    [Fact]
    public async Task Create_SameKeyAtOnce_CreatesExactlyOneJob()
    {
        var tenant = NextId();
        var jobs = Enumerable.Range(0, 4).Select(_ => Job(tenant, ModuleA, "racing-key")).ToList();

        var answers = await Task.WhenAll(jobs.Select(j => Task.Run(() => Jobs.CreateAsync(j, Token), Token)));

        Assert.Single(answers, a => a.Created);
        Assert.Single(answers.Select(a => a.Job.Id).Distinct());
        Assert.Single((await Jobs.ListAsync(new(tenant, null, null, 10, null), Token)).Jobs);
    }

    [Fact]
    public async Task Create_SameKeyInAnotherTenant_IsIndependent()
    {
        var mine = Job(NextId(), ModuleA, "shared-key");
        var theirs = Job(NextId(), ModuleA, "shared-key");
        await Jobs.CreateAsync(mine, Token);

        var (job, created) = await Jobs.CreateAsync(theirs, Token);

        Assert.True(created);
        AssertSameJob(theirs, job);
        AssertSameJob(mine, await Jobs.GetAsync(mine.TenantId, mine.Id, Token));
    }

    [Fact]
    public async Task Get_AnotherTenantsJob_IsNull()
    {
        var job = Job(NextId(), ModuleA);
        await Jobs.CreateAsync(job, Token);

        Assert.Null(await Jobs.GetAsync(NextId(), job.Id, Token));
        Assert.Null(await Jobs.GetAsync(job.TenantId, NextId(), Token));
    }

    [Fact]
    public async Task List_PagesNewestFirstWithinTheTenantOnly()
    {
        var tenant = NextId();
        var jobs = Enumerable.Range(0, 5).Select(i => Job(tenant, i % 2 == 0 ? ModuleA : ModuleB)).ToList();
        foreach (var job in jobs)
        {
            await Jobs.CreateAsync(job, Token);
            await Jobs.CreateAsync(Job(NextId(), job.ModuleId), Token);
        }

        var seen = new List<ExecutionJobSummary>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await Jobs.ListAsync(new(tenant, null, null, 2, cursor), Token);
            Assert.InRange(page.Jobs.Count, 1, 2);
            seen.AddRange(page.Jobs);
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(jobs.Select(j => j.Id).Reverse(), seen.Select(s => s.Id));
        Assert.All(seen, s => Assert.Equal(ExecutionJobStatus.Queued, s.Status));
        Assert.Equal(jobs[4].ModuleId, seen[0].ModuleId);
        Assert.Equal(T0, seen[0].CreatedAt);
    }

    [Fact]
    public async Task List_ByModuleAndOutcome_KeepsOnlyMatchingJobsAndTheirSummaries()
    {
        var tenant = NextId();
        var trappedA = await CompletedAsync(Job(tenant, ModuleA), Result("trapped", null));
        var exitedA = await CompletedAsync(Job(tenant, ModuleA), Result("exited", 3));
        var exitedB = await CompletedAsync(Job(tenant, ModuleB), Result("exited", 0));
        var queuedA = Job(tenant, ModuleA);
        await Jobs.CreateAsync(queuedA, Token);

        var byModule = await Jobs.ListAsync(new(tenant, ModuleA, null, 10, null), Token);
        var byOutcome = await Jobs.ListAsync(new(tenant, null, "exited", 10, null), Token);
        var both = await Jobs.ListAsync(new(tenant, ModuleA, "exited", 10, null), Token);
        var pagedByModule = await Jobs.ListAsync(new(tenant, ModuleA, null, 1, null), Token);
        var second = await Jobs.ListAsync(new(tenant, ModuleA, null, 1, pagedByModule.NextCursor), Token);

        Assert.Equal([queuedA.Id, exitedA.Id, trappedA.Id], byModule.Jobs.Select(j => j.Id));
        Assert.Null(byModule.NextCursor);
        Assert.Equal([exitedB.Id, exitedA.Id], byOutcome.Jobs.Select(j => j.Id));
        var summary = Assert.Single(both.Jobs);
        Assert.Equal(
            new ExecutionJobSummary(exitedA.Id, ModuleA, ExecutionJobStatus.Completed, T0, T0.AddSeconds(1),
                T0.AddSeconds(2), "exited", 3, 12.5),
            summary);
        Assert.Equal([exitedA.Id], second.Jobs.Select(j => j.Id));
        Assert.Null(byModule.Jobs[0].Outcome);
    }

    [Theory]
    [InlineData("not a cursor")]
    [InlineData("djI6MDE5NTQ4YjAtMDAwMC03MDAwLTgwMDAtMDAwMDAwMDAwMDAw")]
    [InlineData("djE6bm90LWFuLWlk")]
    public async Task List_ForgedCursor_IsRefused(string cursor)
    {
        var tenant = NextId();
        await Jobs.CreateAsync(Job(tenant, ModuleA), Token);

        await Assert.ThrowsAsync<ArgumentException>(
            () => Jobs.ListAsync(new(tenant, null, null, 10, cursor), Token));
    }

    [Fact]
    public async Task List_AnotherTenantsCursor_NeverShowsTheirJobs()
    {
        var theirs = NextId();
        for (var i = 0; i < 3; i++)
        {
            await Jobs.CreateAsync(Job(theirs, ModuleA), Token);
        }

        var mine = Job(NextId(), ModuleA);
        await Jobs.CreateAsync(mine, Token);
        var theirCursor = (await Jobs.ListAsync(new(theirs, null, null, 1, null), Token)).NextCursor;
        var handcrafted = Convert.ToBase64String(Encoding.UTF8.GetBytes($"v1:{Guid.CreateVersion7(T0.AddYears(1))}"));

        var withTheirs = await Jobs.ListAsync(new(mine.TenantId, null, null, 10, theirCursor), Token);
        var withCrafted = await Jobs.ListAsync(new(mine.TenantId, null, null, 10, handcrafted), Token);

        Assert.NotNull(theirCursor);
        Assert.All(withTheirs.Jobs.Concat(withCrafted.Jobs), j => Assert.Equal(mine.Id, j.Id));
    }

    [Fact]
    public async Task TryMarkRunning_QueuedJob_StartsItOnceOnly()
    {
        var job = Job(NextId(), ModuleA);
        await Jobs.CreateAsync(job, Token);

        Assert.True(await Jobs.TryMarkRunningAsync(job.Id, T0.AddSeconds(1), Token));
        Assert.False(await Jobs.TryMarkRunningAsync(job.Id, T0.AddSeconds(2), Token));
        Assert.False(await Jobs.TryMarkRunningAsync(NextId(), T0, Token));

        var running = await Jobs.GetAsync(job.TenantId, job.Id, Token);
        AssertSameJob(job with { Status = ExecutionJobStatus.Running, StartedAt = T0.AddSeconds(1) }, running);
    }

    [Fact]
    public async Task TryMarkRunning_TwoWorkersAtOnce_ExactlyOneWinsEachJob()
    {
        var jobs = Enumerable.Range(0, 8).Select(_ => Job(NextId(), ModuleA)).ToList();
        foreach (var job in jobs)
        {
            await Jobs.CreateAsync(job, Token);
        }

        var wins = await Task.WhenAll(jobs.Select(async job =>
        {
            var claims = await Task.WhenAll(
                Task.Run(() => Jobs.TryMarkRunningAsync(job.Id, T0, Token), Token),
                Task.Run(() => Jobs.TryMarkRunningAsync(job.Id, T0, Token), Token));
            return claims.Count(c => c);
        }));

        Assert.All(wins, w => Assert.Equal(1, w));
    }

    [Fact]
    public async Task Release_RunningJob_QueuesItAgainAndOnlyFromRunning()
    {
        var job = Job(NextId(), ModuleA);
        await Jobs.CreateAsync(job, Token);
        await Jobs.ReleaseAsync(job.Id, Token);
        AssertSameJob(job, await Jobs.GetAsync(job.TenantId, job.Id, Token));
        await Jobs.TryMarkRunningAsync(job.Id, T0.AddSeconds(1), Token);

        await Jobs.ReleaseAsync(job.Id, Token);

        AssertSameJob(job, await Jobs.GetAsync(job.TenantId, job.Id, Token));
        Assert.True(await Jobs.TryMarkRunningAsync(job.Id, T0.AddSeconds(2), Token));
        await Jobs.CompleteAsync(job.Id, Result(), T0.AddSeconds(3), Token);
        await Jobs.ReleaseAsync(job.Id, Token);
        Assert.Equal(ExecutionJobStatus.Completed, (await Jobs.GetAsync(job.TenantId, job.Id, Token))!.Status);
        await Jobs.ReleaseAsync(NextId(), Token);
    }

    [Fact]
    public async Task Complete_RunningJob_KeepsTheResultAndDropsTheInput()
    {
        var job = Job(NextId(), ModuleA, "complete-key");
        var result = Result("exited", 7);

        await CompletedAsync(job, result);

        var done = await Jobs.GetAsync(job.TenantId, job.Id, Token);
        AssertSameJob(
            job with
            {
                Request = null,
                Status = ExecutionJobStatus.Completed,
                StartedAt = T0.AddSeconds(1),
                CompletedAt = T0.AddSeconds(2),
                Result = result,
            },
            done);
        Assert.False(await Jobs.TryMarkRunningAsync(job.Id, T0.AddSeconds(3), Token));
    }

    [Fact]
    public async Task Complete_AlreadyCompletedJob_KeepsTheFirstResult()
    {
        var job = await CompletedAsync(Job(NextId(), ModuleA), Result("exited", 0));

        await Jobs.CompleteAsync(job.Id, Result("timeout", null), T0.AddSeconds(9), Token);
        await Jobs.CompleteAsync(NextId(), Result(), T0, Token);

        var done = await Jobs.GetAsync(job.TenantId, job.Id, Token);
        Assert.Equal("exited", done!.Result!.Outcome);
        Assert.Equal(T0.AddSeconds(2), done.CompletedAt);
        Assert.Single((await Jobs.ListAsync(new(job.TenantId, null, "exited", 10, null), Token)).Jobs);
    }

    [Fact]
    public async Task Refuse_RunningJob_CompletedAsCompleteDoes_FirstResultKept()
    {
        var job = Job(NextId(), ModuleA);
        Assert.True((await Jobs.CreateAsync(job, Token)).Created);
        Assert.True(await Jobs.TryMarkRunningAsync(job.Id, T0.AddSeconds(1), Token));

        await Jobs.RefuseAsync(job.Id, "rate_limited", Result("rejected", null), T0.AddSeconds(2), Token);
        await Jobs.RefuseAsync(job.Id, "not_found", Result("exited", 0), T0.AddSeconds(3), Token);

        var done = await Jobs.GetAsync(job.TenantId, job.Id, Token);
        Assert.Equal(ExecutionJobStatus.Completed, done!.Status);
        Assert.Null(done.Request);
        Assert.Equal("rejected", done.Result!.Outcome);
        Assert.Equal(T0.AddSeconds(2), done.CompletedAt);
        Assert.Equal(0, await Jobs.CountPendingAsync(job.TenantId, Token));
    }

    [Fact]
    public async Task RemoveCompletedBefore_RemovesOldCompletedJobsOnlyAndFreesTheirKeys()
    {
        var tenant = NextId();
        var old = await CompletedAsync(Job(tenant, ModuleA, "old-key"), Result());
        var oldToo = await CompletedAsync(Job(NextId(), ModuleB), Result("trapped", null));
        var recent = Job(tenant, ModuleA, "recent-key");
        await Jobs.CreateAsync(recent, Token);
        await Jobs.TryMarkRunningAsync(recent.Id, T0.AddSeconds(1), Token);
        await Jobs.CompleteAsync(recent.Id, Result(), T0.AddMinutes(10), Token);
        var running = Job(tenant, ModuleA);
        await Jobs.CreateAsync(running, Token);
        await Jobs.TryMarkRunningAsync(running.Id, T0, Token);
        var queued = Job(tenant, ModuleB);
        await Jobs.CreateAsync(queued, Token);

        var removed = await Jobs.RemoveCompletedBeforeAsync(T0.AddMinutes(5), 100, Token);

        Assert.Equal(2, removed);
        Assert.Null(await Jobs.GetAsync(tenant, old.Id, Token));
        Assert.Null(await Jobs.GetAsync(oldToo.TenantId, oldToo.Id, Token));
        Assert.Equal(
            [queued.Id, running.Id, recent.Id],
            (await Jobs.ListAsync(new(tenant, null, null, 10, null), Token)).Jobs.Select(j => j.Id));
        var reused = Job(tenant, ModuleB, "old-key");
        Assert.True((await Jobs.CreateAsync(reused, Token)).Created);
        var retried = await Jobs.CreateAsync(Job(tenant, ModuleB, "recent-key"), Token);
        Assert.Equal((recent.Id, false), (retried.Job.Id, retried.Created));
        Assert.Equal(0, await Jobs.RemoveCompletedBeforeAsync(T0.AddMinutes(5), 100, Token));
    }

    [Fact]
    public async Task RemoveCompletedBefore_StopsAtTheLimit()
    {
        var tenant = NextId();
        for (var i = 0; i < 3; i++)
        {
            await CompletedAsync(Job(tenant, ModuleA), Result());
        }

        Assert.Equal(2, await Jobs.RemoveCompletedBeforeAsync(T0.AddMinutes(1), 2, Token));
        Assert.Single((await Jobs.ListAsync(new(tenant, null, null, 10, null), Token)).Jobs);
        Assert.Equal(1, await Jobs.RemoveCompletedBeforeAsync(T0.AddMinutes(1), 2, Token));
        Assert.Empty((await Jobs.ListAsync(new(tenant, null, null, 10, null), Token)).Jobs);
    }

    [Fact]
    public async Task CreateWithin_BurstAtOnce_StoresExactlyTheLimit_AReusedKeyStillFindsItsJob()
    {
        var tenant = NextId();
        var keyed = Job(tenant, ModuleA, "kept");
        Assert.True((await Jobs.CreateWithinAsync(keyed, 3, Token)).Created);

        var burst = await Task.WhenAll(Enumerable.Range(0, 7).Select(_ => Jobs.CreateWithinAsync(Job(tenant, ModuleA), 3, Token)));
        var again = await Jobs.CreateWithinAsync(Job(tenant, ModuleA, "kept"), 3, Token);

        Assert.Equal(2, burst.Count(r => r.Created));
        Assert.All(burst.Where(r => !r.Created), r => Assert.Null(r.Job));
        Assert.Equal(3, await Jobs.CountPendingAsync(tenant, Token));
        Assert.Equal(keyed.Id, again.Job?.Id);
        Assert.False(again.Created);
    }

    [Fact]
    public async Task CountPending_QueuedAndRunningOnly_OfThatTenant()
    {
        var tenant = NextId();
        var running = Job(tenant, ModuleA);
        await Jobs.CreateAsync(Job(tenant, ModuleA), Token);
        await Jobs.CreateAsync(running, Token);
        await Jobs.TryMarkRunningAsync(running.Id, T0.AddSeconds(1), Token);
        await CompletedAsync(Job(tenant, ModuleB), Result());
        await Jobs.CreateAsync(Job(NextId(), ModuleA), Token);

        Assert.Equal(2, await Jobs.CountPendingAsync(tenant, Token));
        Assert.Equal(0, await Jobs.CountPendingAsync(NextId(), Token));
    }

    /// <summary>Submits, claims (at T0+1s) and completes (at T0+2s) <paramref name="job"/>.</summary>
    private async Task<ExecutionJob> CompletedAsync(ExecutionJob job, Shared.Contracts.RunResult result)
    {
        Assert.True((await Jobs.CreateAsync(job, Token)).Created);
        Assert.True(await Jobs.TryMarkRunningAsync(job.Id, T0.AddSeconds(1), Token));
        await Jobs.CompleteAsync(job.Id, result, T0.AddSeconds(2), Token);
        return job;
    }
}
