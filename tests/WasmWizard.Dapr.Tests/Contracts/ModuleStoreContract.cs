using WasmWizard.Dapr.Tests.Infrastructure;
using WasmWizard.Shared.Ports;
using static WasmWizard.Dapr.Tests.Infrastructure.TestData;

namespace WasmWizard.Dapr.Tests.Contracts;

/// <summary>What every <see cref="IModuleStore"/> must do, as the SQLite store does it.</summary>
public abstract class ModuleStoreContract(Func<Task<StorageBackend>> start) : StoreContract(start)
{
    private IModuleStore Store => Backend.Modules;

    [Fact]
    public async Task Add_ThenGet_RoundTripsMetadataAndBytes()
    {
        var owner = await OwnerAsync();
        var bytes = Bytes(1, 3000);
        var module = Module(owner, bytes) with { Description = null };

        await Store.AddAsync(module, bytes, Token);

        Assert.Equal(module, await Store.GetAsync(module.Id, Token));
        Assert.Equal(bytes, await Store.GetBytesAsync(module.Sha256, Token));
    }

    [Fact]
    public async Task Get_Unknown_ReturnsNull()
    {
        Assert.Null(await Store.GetAsync(Guid.CreateVersion7(), Token));
        Assert.Null(await Store.GetBytesAsync(Sha256([9]), Token));
        Assert.Null(await Store.GetBytesAsync("not a hash", Token));
    }

    [Fact]
    public async Task List_OwnModules_NewestFirstPagedWithTheTotal()
    {
        var owner = await OwnerAsync();
        var modules = await AddModulesAsync(owner, count: 5);
        var other = await OwnerAsync();
        await AddModulesAsync(other, count: 2);

        var first = await Store.ListAsync(owner, includePublic: false, 0, 2, Token);
        var last = await Store.ListAsync(owner, includePublic: false, 4, 2, Token);
        var past = await Store.ListAsync(owner, includePublic: false, 5, 2, Token);

        Assert.Equal([modules[4], modules[3]], first.Items);
        Assert.Equal([modules[0]], last.Items);
        Assert.Empty(past.Items);
        Assert.All([first, last, past], page => Assert.Equal(5, page.Total));
    }

    [Fact]
    public async Task List_IncludePublic_AddsOthersPublicModulesOnceEach()
    {
        var owner = await OwnerAsync();
        var other = await OwnerAsync();
        var ownPrivate = await AddAsync(owner, 1, isPublic: false);
        var othersPublic = await AddAsync(other, 2, isPublic: true);
        var ownPublic = await AddAsync(owner, 3, isPublic: true);
        await AddAsync(other, 4, isPublic: false);

        var all = await Store.ListAsync(owner, includePublic: true, 0, 10, Token);
        var second = await Store.ListAsync(owner, includePublic: true, 1, 1, Token);
        var own = await Store.ListAsync(owner, includePublic: false, 0, 10, Token);

        Assert.Equal([ownPublic, othersPublic, ownPrivate], all.Items);
        Assert.Equal(3, all.Total);
        Assert.Equal([othersPublic], second.Items);
        Assert.Equal(3, second.Total);
        Assert.Equal([ownPublic, ownPrivate], own.Items);
        Assert.Equal(2, own.Total);
    }

    [Fact]
    public async Task Delete_NotTheOwnersOrUnknown_ReturnsNullAndKeepsTheModule()
    {
        var owner = await OwnerAsync();
        var module = await AddAsync(owner, 1, isPublic: true);

        Assert.Null(await Store.DeleteAsync(await OwnerAsync(), module.Id, Token));
        Assert.Null(await Store.DeleteAsync(owner, Guid.CreateVersion7(), Token));

        Assert.Equal(module, await Store.GetAsync(module.Id, Token));
        Assert.NotNull(await Store.GetBytesAsync(module.Sha256, Token));
    }

    [Fact]
    public async Task Delete_SharedBytes_KeptUntilTheLastCopyGoes()
    {
        var owner = await OwnerAsync();
        var other = await OwnerAsync();
        var bytes = Bytes(7);
        var first = Module(owner, bytes);
        var second = Module(other, bytes, isPublic: true);
        await Store.AddAsync(first, bytes, Token);
        await Store.AddAsync(second, bytes, Token);

        var deletedFirst = await Store.DeleteAsync(owner, first.Id, Token);
        var bytesBetween = await Store.GetBytesAsync(first.Sha256, Token);
        var deletedSecond = await Store.DeleteAsync(other, second.Id, Token);

        Assert.Equal(new DeletedModule(first.Sha256, LastCopy: false), deletedFirst);
        Assert.Equal(bytes, bytesBetween);
        Assert.Equal(new DeletedModule(first.Sha256, LastCopy: true), deletedSecond);
        Assert.Null(await Store.GetBytesAsync(first.Sha256, Token));
        Assert.Null(await Store.GetAsync(first.Id, Token));
        Assert.Null(await Store.DeleteAsync(other, second.Id, Token));
    }

    [Fact]
    public async Task Delete_SameContentUploadedAgain_StoresTheBytesAgain()
    {
        var owner = await OwnerAsync();
        var bytes = Bytes(8);
        var first = Module(owner, bytes);
        await Store.AddAsync(first, bytes, Token);
        await Store.DeleteAsync(owner, first.Id, Token);
        var again = Module(owner, bytes);

        await Store.AddAsync(again, bytes, Token);

        Assert.Equal(bytes, await Store.GetBytesAsync(again.Sha256, Token));
        Assert.Equal(new DeletedModule(again.Sha256, LastCopy: true), await Store.DeleteAsync(owner, again.Id, Token));
    }

    [Fact]
    public async Task Delete_PublicModule_LeavesEveryListing()
    {
        var owner = await OwnerAsync();
        var viewer = await OwnerAsync();
        var module = await AddAsync(owner, 1, isPublic: true);

        await Store.DeleteAsync(owner, module.Id, Token);

        var seen = await Store.ListAsync(viewer, includePublic: true, 0, 10, Token);
        Assert.Empty(seen.Items);
        Assert.Equal(0, seen.Total);
        Assert.Equal(0, (await Store.ListAsync(owner, includePublic: true, 0, 10, Token)).Total);
    }

    [Fact]
    public async Task GetUsage_CountsEveryUploadEvenWithSharedBytes()
    {
        var owner = await OwnerAsync();
        var bytes = Bytes(3, 1000);
        var first = Module(owner, bytes);
        var copy = Module(owner, bytes);
        await Store.AddAsync(first, bytes, Token);
        await Store.AddAsync(copy, bytes, Token);
        await AddAsync(owner, 4, isPublic: true, size: 500);
        await AddAsync(await OwnerAsync(), 5, isPublic: true, size: 700);

        var before = await Store.GetUsageAsync(owner, Token);
        await Store.DeleteAsync(owner, copy.Id, Token);
        var after = await Store.GetUsageAsync(owner, Token);

        Assert.Equal(new ModuleUsage(3, 2500), before);
        Assert.Equal(new ModuleUsage(2, 1500), after);
        Assert.Equal(new ModuleUsage(0, 0), await Store.GetUsageAsync(Guid.CreateVersion7(), Token));
    }

    [Fact]
    public async Task Add_SameIdTwice_IsRefusedAndKeepsTheFirst()
    {
        var owner = await OwnerAsync();
        var module = await AddAsync(owner, 1, isPublic: false, size: 100);
        var otherBytes = Bytes(2, 300);
        var clash = Module(owner, otherBytes) with { Id = module.Id };

        await Assert.ThrowsAnyAsync<Exception>(() => Store.AddAsync(clash, otherBytes, Token));

        Assert.Equal(module, await Store.GetAsync(module.Id, Token));
        Assert.Null(await Store.GetBytesAsync(clash.Sha256, Token));
        Assert.Equal(new ModuleUsage(1, 100), await Store.GetUsageAsync(owner, Token));
        Assert.Equal([module], (await Store.ListAsync(owner, includePublic: false, 0, 10, Token)).Items);
    }

    [Fact]
    public async Task Delete_EveryModule_LeavesNoUsageListingOrBytes()
    {
        var owner = await OwnerAsync();
        var modules = await AddModulesAsync(owner, count: 3);

        foreach (var module in modules)
        {
            var deleted = await Store.DeleteAsync(owner, module.Id, Token);
            Assert.Equal(new DeletedModule(module.Sha256, LastCopy: true), deleted);
        }

        Assert.Equal(new ModuleUsage(0, 0), await Store.GetUsageAsync(owner, Token));
        var listed = await Store.ListAsync(owner, includePublic: true, 0, 10, Token);
        Assert.Empty(listed.Items);
        Assert.Equal(0, listed.Total);
        foreach (var module in modules)
        {
            Assert.Null(await Store.GetBytesAsync(module.Sha256, Token));
        }
    }

    /// <summary>A user to own modules (the SQLite store refuses modules of nobody).</summary>
    private async Task<Guid> OwnerAsync()
    {
        var user = User();
        await Backend.Identities.TryCreateUserAsync(user, Key(user.Id).Key, Token);
        return user.Id;
    }

    private async Task<ModuleRecord> AddAsync(Guid owner, int seed, bool isPublic, int size = 64)
    {
        var bytes = Bytes(seed, size);
        var module = Module(owner, bytes, isPublic);
        await Store.AddAsync(module, bytes, Token);
        return module;
    }

    private async Task<IReadOnlyList<ModuleRecord>> AddModulesAsync(Guid owner, int count)
    {
        var modules = new List<ModuleRecord>();
        for (var i = 0; i < count; i++)
        {
            modules.Add(await AddAsync(owner, Random.Shared.Next(), isPublic: false));
        }

        return modules;
    }
}
