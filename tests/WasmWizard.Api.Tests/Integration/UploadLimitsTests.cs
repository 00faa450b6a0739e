using System.Net;
using Microsoft.Extensions.DependencyInjection;
using WasmWizard.Shared.Execution;
using WasmWizard.Api.Execution;
using WasmWizard.Api.Tests.Infrastructure;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Api.Tests.Integration;

/// <summary>Per-tier stored-module quotas and the number of uploads (and ad-hoc runs) a tenant may have in flight.</summary>
public sealed class UploadLimitsTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Upload_PastTheTiersModuleCount_ForbiddenUntilOneIsDeleted()
    {
        using var app = new WasmWizardApp(new Dictionary<string, string?> { ["Api:Tiers:free:MaxModules"] = "2" });
        using var user = await app.CreateUserAsync("free");
        var first = await ApiCalls.UploadAsync(user.Client, TestModules.Hello, "one.wasm");
        await ApiCalls.UploadAsync(user.Client, TestModules.Echo, "two.wasm");

        var refused = await user.Client.PostAsync("/api/wasm/upload", ApiCalls.ModuleForm(TestModules.Args), Token);
        await user.Client.DeleteAsync($"/api/wasm/modules/{first.GetProperty("id").GetString()}", Token);
        var afterDelete = await user.Client.PostAsync("/api/wasm/upload", ApiCalls.ModuleForm(TestModules.Args), Token);

        var problem = await ApiCalls.AssertProblemAsync(refused, HttpStatusCode.Forbidden, "quota_exceeded");
        Assert.Contains("at most 2 modules", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, afterDelete.StatusCode);
    }

    [Fact]
    public async Task Upload_PastTheTiersStoredBytes_Forbidden_WhileASmallerOneFits()
    {
        using var app = new WasmWizardApp(new Dictionary<string, string?> { ["Api:Tiers:free:MaxStoredMb"] = "1" });
        using var user = await app.CreateUserAsync("free");
        var big = WithCustomSection(TestModules.Hello, 700 * 1024);
        await ApiCalls.UploadAsync(user.Client, big, "big.wasm");

        var second = await user.Client.PostAsync("/api/wasm/upload", ApiCalls.ModuleForm(WithCustomSection(TestModules.Echo, 400 * 1024)), Token);
        var small = await user.Client.PostAsync("/api/wasm/upload", ApiCalls.ModuleForm(TestModules.Args), Token);

        await ApiCalls.AssertProblemAsync(second, HttpStatusCode.Forbidden, "quota_exceeded");
        Assert.Equal(HttpStatusCode.Created, small.StatusCode);
    }

    [Fact]
    public async Task Upload_WhileTheTenantsOnlyUploadSlotIsHeld_RefusedAtOnce_OtherTenantsUnaffected()
    {
        using var app = new WasmWizardApp();
        using var user = await app.CreateUserAsync("free");
        using var other = await app.CreateUserAsync("free");
        using var stalled = await StalledContent.FromAsync(ApiCalls.ModuleForm(TestModules.Hello, "slow.wasm"));
        var uploads = app.Services.GetRequiredKeyedService<TenantConcurrency>(TenantConcurrency.Uploads);

        var slow = Task.Run(() => user.Client.PostAsync("/api/wasm/upload", stalled, Token), Token);
        await Eventually.HoldsAsync(() => uploads.Running(user.Id) == 1);
        var second = await user.Client.PostAsync("/api/wasm/upload", ApiCalls.ModuleForm(TestModules.Echo), Token);
        var neighbour = await other.Client.PostAsync("/api/wasm/upload", ApiCalls.ModuleForm(TestModules.Echo), Token);
        stalled.Release();

        await ApiCalls.AssertProblemAsync(second, HttpStatusCode.TooManyRequests, "concurrency_limited");
        Assert.Equal(HttpStatusCode.Created, neighbour.StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await slow).StatusCode);
        Assert.Equal(0, uploads.Running(user.Id));
    }

    [Fact]
    public async Task AdHocRun_HoldsItsRunSlotWhileTheBodyArrives()
    {
        using var app = new WasmWizardApp();
        using var user = await app.CreateUserAsync("free");
        var hello = await ApiCalls.UploadAsync(user.Client, TestModules.Hello, "hello.wasm");
        using var stalled = await StalledContent.FromAsync(ApiCalls.ModuleForm(TestModules.Hello, "adhoc.wasm"));
        var runs = app.Services.GetRequiredService<TenantConcurrency>();

        var adHoc = Task.Run(() => user.Client.PostAsync("/api/wasm/execute", stalled, Token), Token);
        await Eventually.HoldsAsync(() => runs.Running(user.Id) == 1);
        var stored = await ApiCalls.ExecuteAsync(user.Client, Guid.Parse(hello.GetProperty("id").GetString()!), new { });
        stalled.Release();

        await ApiCalls.AssertProblemAsync(stored, HttpStatusCode.TooManyRequests, "concurrency_limited");
        Assert.Equal(HttpStatusCode.OK, (await adHoc).StatusCode);
    }

    /// <summary>The module with a custom section of <paramref name="size"/> bytes appended: valid, and that much bigger.</summary>
    private static byte[] WithCustomSection(byte[] module, int size)
    {
        var name = "padding"u8.ToArray();
        var payload = new List<byte> { (byte)name.Length };
        payload.AddRange(name);
        payload.AddRange(new byte[size]);
        var section = new List<byte> { 0 };
        for (var length = (uint)payload.Count; ; length >>= 7)
        {
            var low = (byte)(length & 0x7f);
            if (length < 0x80)
            {
                section.Add(low);
                break;
            }

            section.Add((byte)(low | 0x80));
        }

        return [.. module, .. section, .. payload];
    }
}
