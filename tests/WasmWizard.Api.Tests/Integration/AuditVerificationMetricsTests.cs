using System.Diagnostics.Metrics;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using WasmWizard.Api.Tests.Infrastructure;
using WasmWizard.Standalone.Storage;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Api.Tests.Integration;

/// <summary>
/// The counter an alert on a tampered audit trail reads: a verification that finds the embedded host's chain changed
/// behind its back shows on <c>/metrics</c>; one that finds it intact does not.
/// </summary>
[Collection(MetricsCollection.Name)]
public sealed class AuditVerificationMetricsTests
{
    private const string Failures = "wasmwizard_audit_chain_verification_failures_total";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TamperedChain_VerificationFails_FailureCounterRisesOnce()
    {
        // A host of its own: the tampering breaks its trail for good.
        using var app = new WasmWizardApp();
        using var log = new MeasurementLog(
            app.Services.GetRequiredService<IMeterFactory>(), "wasmwizard.audit.chain.verification_failures");
        using var user = await app.CreateUserAsync("basic");
        using var admin = app.AdminClient();
        using var anonymous = app.CreateClient();
        var created = await user.Client.PostAsJsonAsync("/api/auth/keys", new { name = "second" }, Token);
        var keyId = (await ApiCalls.BodyAsync(created)).GetProperty("id").GetString()!;
        await Eventually.HoldsAsync(
            async () => (await user.Client.GetStringAsync($"/api/audit/events?subject=key:{keyId}", Token))
                .Contains(keyId, StringComparison.Ordinal),
            TimeSpan.FromSeconds(30),
            TimeSpan.FromMilliseconds(20));
        var intact = await ApiCalls.BodyAsync(await admin.GetAsync("/api/audit/verify", Token));
        var before = await PrometheusScrape.OfAsync(anonymous);

        // As an intruder with write access to the file would: lift the append-only guard, change the newest event.
        await TamperAsync(app.Services.GetRequiredService<SqliteDatabase>().Path);
        var broken = await ApiCalls.BodyAsync(await admin.GetAsync("/api/audit/verify", Token));
        var after = await PrometheusScrape.OfAsync(anonymous);

        Assert.True(intact.GetProperty("intact").GetBoolean());
        Assert.False(broken.GetProperty("intact").GetBoolean());
        // Present before any failure, so that an alert on its increase fires on the first one.
        Assert.True(before.Has(Failures));
        Assert.True(after.Since(before, Failures) >= 1);
        Assert.Single(log.Of("wasmwizard.audit.chain.verification_failures"), m => m.Value > 0);
    }

    private static async Task TamperAsync(string databasePath)
    {
        await using var connection = new SqliteConnection($"Data Source={databasePath}");
        await connection.OpenAsync(Token);
        await using var guard = connection.CreateCommand();
        guard.CommandText = "DROP TRIGGER IF EXISTS audit_log_append_only";
        await guard.ExecuteNonQueryAsync(Token);
        await using var update = connection.CreateCommand();
        update.CommandText = "UPDATE audit_log SET actor = 'evil' WHERE seq = (SELECT max(seq) FROM audit_log)";
        Assert.Equal(1, await update.ExecuteNonQueryAsync(Token));
    }
}
