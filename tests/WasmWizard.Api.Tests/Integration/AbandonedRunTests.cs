using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using WasmWizard.Api.Tests.Infrastructure;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Ports;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Api.Tests.Integration;

/// <summary>A caller that leaves during a synchronous run stops it, and the run is still in the audit trail.</summary>
public sealed class AbandonedRunTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SyncRun_CallerLeaves_RunStoppedAtOnce_AndRecordedInterrupted()
    {
        using var app = new WasmWizardApp();
        using var user = await app.CreateUserAsync("pro");
        var module = await ApiCalls.UploadAsync(user.Client, TestModules.Spin, "spin.wasm");
        var moduleId = module.GetProperty("id").GetString();
        var free = await ApiCalls.FreeSlotsAsync(user.Client);

        using var leaving = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var call = user.Client.PostAsJsonAsync(
            $"/api/wasm/modules/{moduleId}/execute", new { timeout_ms = 30_000 }, leaving.Token);
        await ApiCalls.WaitForFreeSlotsAsync(user.Client, free - 1);
        await leaving.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        // Stopped long before its 30 s deadline: the slot comes back within the helper's 10 s.
        await ApiCalls.WaitForFreeSlotsAsync(user.Client, free);
        var store = app.Services.GetRequiredService<IAuditEventStore>();
        AuditEvent? recorded = null;
        await Eventually.HoldsAsync(
            async () =>
            {
                recorded = (await store.ListAsync(1000, Token)).SingleOrDefault(e =>
                    e.Type == AuditEventTypes.ExecutionCompleted && e.Details.GetValueOrDefault("module_id") == moduleId);
                return recorded is not null;
            },
            TimeSpan.FromSeconds(10),
            TimeSpan.FromMilliseconds(50));
        Assert.Equal(ExecutionOutcome.Interrupted, recorded!.Details["outcome"]);
        Assert.Equal(user.Id, recorded.TenantId);
    }
}
