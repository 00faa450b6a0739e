using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Ports;
using WasmWizard.Tests.Shared;
using static WasmWizard.Audit.Tests.Infrastructure.Events;

namespace WasmWizard.Audit.Tests.Contracts;

/// <summary>This part of the contract: the audit trail's instruments measure the same on every store.</summary>
public abstract partial class AuditStoreContract
{
    [Fact]
    public async Task Metrics_NewEventsByTypeWithLag_DuplicatesNot_BrokenChainVerificationCounted()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        using var log = new MeasurementLog(
            meters,
            "wasmwizard.audit.events.written",
            "wasmwizard.audit.lag",
            "wasmwizard.audit.chain.verification_failures");
        var metrics = new AuditMetrics(meters);
        var writtenAt = new ManualClock(Epoch.AddSeconds(2.5));
        var recorder = new AuditEventRecorder(Store, metrics, writtenAt, NullLogger<AuditEventRecorder>.Instance);
        var reader = new MeteredAuditReader(Store, metrics, NullLogger<MeteredAuditReader>.Instance);
        var tenant = Guid.CreateVersion7();
        var created = New(tenant);
        var uploaded = New(tenant, AuditEventTypes.ModuleUploaded);
        var unknown = New(tenant, "made.up");

        foreach (var sent in new[] { created, created, uploaded, unknown })
        {
            await recorder.HandleAsync(sent, Token);
        }

        var intact = await reader.VerifyAsync(AuditChainScope.All, Token);
        await Backend.ExecuteAsync(
            "UPDATE audit_log SET actor = 'evil' WHERE id = @id", true, ("id", Backend.Key(uploaded.Id)));
        var broken = await reader.VerifyAsync(AuditChainScope.Tenant(tenant), Token);

        Assert.True(intact.Intact);
        Assert.False(broken.Intact);
        Assert.Equal(
            [AuditEventTypes.KeyCreated, AuditEventTypes.ModuleUploaded, AuditMetrics.OtherType],
            log.Of("wasmwizard.audit.events.written").Select(m => m.Tags["type"]));
        Assert.Equal([2.5, 2.5, 2.5], log.Of("wasmwizard.audit.lag").Select(m => m.Value));
        // The counter starts with a 0 (so an alert sees the first failure as an increase); then one failure.
        Assert.Equal([1d], log.Of("wasmwizard.audit.chain.verification_failures").Select(m => m.Value).Where(v => v > 0));
    }
}
