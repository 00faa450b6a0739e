using WasmWizard.Dapr.Tests.Infrastructure;
using WasmWizard.Shared.Dapr;
using WasmWizard.Shared.Dapr.State;
using WasmWizard.Shared.Ports;
using static WasmWizard.Dapr.Tests.Infrastructure.TestData;

namespace WasmWizard.Dapr.Tests.State;

/// <summary>Writers racing on the same index documents: the ETag retries must lose nothing.</summary>
public sealed class ConcurrencyTests : DaprStoreFixture
{
    [Fact]
    public async Task Add_TwelveModulesOfOneOwnerAtOnce_AllLandInTheIndexes()
    {
        var owner = Guid.CreateVersion7();
        var modules = Enumerable.Range(0, 12)
            .Select(i => (Module(owner, Bytes(i), isPublic: i % 2 == 0), Bytes(i)))
            .ToList();

        await Task.WhenAll(modules.Select(m => Task.Run(() => Dapr.Modules.AddAsync(m.Item1, m.Item2, Token), Token)));

        var listed = await Dapr.Modules.ListAsync(owner, includePublic: false, 0, 100, Token);
        Assert.Equal(12, listed.Total);
        Assert.Equal(modules.Select(m => m.Item1.Id).Order(), listed.Items.Select(m => m.Id).Order());
        Assert.Equal(new ModuleUsage(12, 12 * 64), await Dapr.Modules.GetUsageAsync(owner, Token));
        var publicOnes = await Dapr.Modules.ListAsync(Guid.CreateVersion7(), includePublic: true, 0, 100, Token);
        Assert.Equal(6, publicOnes.Total);
    }

    [Fact]
    public async Task Add_SameContentByEightOwnersAtOnce_StoresTheBytesOnceAndCountsEveryCopy()
    {
        var bytes = Bytes(42, 2048);
        var modules = Enumerable.Range(0, 8).Select(_ => Module(Guid.CreateVersion7(), bytes)).ToList();

        await Task.WhenAll(modules.Select(m => Task.Run(() => Dapr.Modules.AddAsync(m, bytes, Token), Token)));

        Assert.Equal(bytes, Dapr.Stored(DaprStateKeys.ModuleBytes(modules[0].Sha256))!.Value.ToArray());
        var deleted = new List<DeletedModule?>();
        foreach (var module in modules)
        {
            deleted.Add(await Dapr.Modules.DeleteAsync(module.OwnerId, module.Id, Token));
        }

        Assert.Equal([.. Enumerable.Repeat(false, 7), true], deleted.Select(d => d!.LastCopy));
        Assert.Null(await Dapr.Modules.GetBytesAsync(modules[0].Sha256, Token));
    }

    [Fact]
    public async Task Delete_AllCopiesAtOnce_ExactlyOneIsTheLast()
    {
        var bytes = Bytes(5);
        var modules = Enumerable.Range(0, 6).Select(_ => Module(Guid.CreateVersion7(), bytes)).ToList();
        foreach (var module in modules)
        {
            await Dapr.Modules.AddAsync(module, bytes, Token);
        }

        var deleted = await Task.WhenAll(modules.Select(m => Task.Run(
            () => Dapr.Modules.DeleteAsync(m.OwnerId, m.Id, Token), Token)));

        Assert.Single(deleted, d => d!.LastCopy);
        Assert.Null(await Dapr.Modules.GetBytesAsync(modules[0].Sha256, Token));
        Assert.DoesNotContain(Dapr.State.Entries.Keys, k => k.Contains(modules[0].Sha256, StringComparison.Ordinal));
        Assert.DoesNotContain(Dapr.State.Entries.Keys, k => k.Contains("||module:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Delete_SameContentUploadedBetweenItsReadAndCommit_IsNotTheLastCopyAndKeepsTheBytes()
    {
        var bytes = Bytes(60);
        var old = Module(Guid.CreateVersion7(), bytes);
        await Dapr.Modules.AddAsync(old, bytes, Token);
        var gate = new TransactionGate();
        using var gated = Dapr.ClientThrough(gate);
        var fresh = Module(Guid.CreateVersion7(), bytes);

        // The delete has seen one reference and decided to drop the bytes; the upload lands before it commits.
        var deleting = new DaprModuleStore(gated, TimeProvider.System).DeleteAsync(old.OwnerId, old.Id, Token);
        await HeldAsync(gate, deleting);
        await Dapr.Modules.AddAsync(fresh, bytes, Token);
        gate.Release();
        var deleted = await deleting;

        Assert.Equal(new DeletedModule(old.Sha256, LastCopy: false), deleted);
        Assert.Null(await Dapr.Modules.GetAsync(old.Id, Token));
        Assert.Equal(bytes, await Dapr.Modules.GetBytesAsync(fresh.Sha256, Token));
        var last = await Dapr.Modules.DeleteAsync(fresh.OwnerId, fresh.Id, Token);
        Assert.Equal(new DeletedModule(fresh.Sha256, LastCopy: true), last);
    }

    [Fact]
    public async Task Add_LastCopyDeletedBetweenItsReadAndCommit_StoresTheBytesItself()
    {
        var bytes = Bytes(61);
        var old = Module(Guid.CreateVersion7(), bytes);
        await Dapr.Modules.AddAsync(old, bytes, Token);
        var gate = new TransactionGate();
        using var gated = Dapr.ClientThrough(gate);
        var fresh = Module(Guid.CreateVersion7(), bytes);

        // The upload has seen the bytes stored and left them out; the last other copy goes before it commits.
        var adding = new DaprModuleStore(gated, TimeProvider.System).AddAsync(fresh, bytes, Token);
        await HeldAsync(gate, adding);
        var deleted = await Dapr.Modules.DeleteAsync(old.OwnerId, old.Id, Token);
        gate.Release();
        await adding;

        Assert.Equal(new DeletedModule(old.Sha256, LastCopy: true), deleted);
        Assert.Equal(fresh, await Dapr.Modules.GetAsync(fresh.Id, Token));
        Assert.Equal(bytes, await Dapr.Modules.GetBytesAsync(fresh.Sha256, Token));
        Assert.Equal(new ModuleUsage(1, bytes.Length), await Dapr.Modules.GetUsageAsync(fresh.OwnerId, Token));
    }

    [Fact]
    public async Task EnsureUser_FirstRequestsOfOneTenantAtOnce_CreateItOnce()
    {
        var user = User("jwt-tenant@jwt.example");

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(
            () => Dapr.Identities.EnsureUserAsync(user, Token), Token)));

        Assert.Single(answers, a => a == EnsuredUser.Created);
        Assert.All(answers.Where(a => a != EnsuredUser.Created), a => Assert.Equal(EnsuredUser.Unchanged, a));
        Assert.Equal(1, (await Dapr.Identities.ListUsersAsync(0, 10, Token)).Total);
    }

    /// <summary>Waits until <paramref name="gate"/> holds the operation's commit; fails if it ends first.</summary>
    [Fact]
    public async Task TryMarkRunning_AnotherWorkerClaimsBetweenItsReadAndCommit_Loses()
    {
        var job = Job(Guid.CreateVersion7(), Guid.CreateVersion7());
        await Dapr.Jobs.CreateAsync(job, Token);
        var gate = new TransactionGate();
        using var gated = Dapr.ClientThrough(gate);

        // The first worker has read the job queued and is about to commit; the second claims it meanwhile.
        var first = new DaprExecutionJobStore(gated, TimeProvider.System).TryMarkRunningAsync(job.Id, T0, Token);
        await HeldAsync(gate, first);
        var second = await Dapr.Jobs.TryMarkRunningAsync(job.Id, T0.AddSeconds(1), Token);
        gate.Release();

        Assert.True(second);
        Assert.False(await first);
        Assert.Equal(T0.AddSeconds(1), (await Dapr.Jobs.GetAsync(job.TenantId, job.Id, Token))!.StartedAt);
    }

    [Fact]
    public async Task Create_SameKeySubmittedBetweenItsReadAndCommit_ReturnsTheOtherJob()
    {
        var tenant = Guid.CreateVersion7();
        var held = Job(tenant, Guid.CreateVersion7(), "retried-submit");
        var winner = Job(tenant, Guid.CreateVersion7(), "retried-submit");
        var gate = new TransactionGate();
        using var gated = Dapr.ClientThrough(gate);

        // The held submit has found the key unused; the other one stores its job under the key meanwhile.
        var creating = new DaprExecutionJobStore(gated, TimeProvider.System).CreateAsync(held, Token);
        await HeldAsync(gate, creating);
        Assert.True((await Dapr.Jobs.CreateAsync(winner, Token)).Created);
        gate.Release();
        var (job, created) = await creating;

        Assert.False(created);
        Assert.Equal(winner.Id, job.Id);
        Assert.Null(await Dapr.Jobs.GetAsync(tenant, held.Id, Token));
        var listed = await Dapr.Jobs.ListAsync(new(tenant, null, null, 10, null), Token);
        Assert.Equal([winner.Id], listed.Jobs.Select(j => j.Id));
    }

    private static async Task HeldAsync(TransactionGate gate, Task operation)
    {
        await Task.WhenAny(gate.Reached, operation).WaitAsync(Token);
        Assert.True(gate.Reached.IsCompleted, "The operation ended without committing: " + operation.Exception);
    }
}
