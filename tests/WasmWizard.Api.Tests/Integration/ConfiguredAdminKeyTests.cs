using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using WasmWizard.Api.Audit;
using WasmWizard.Api.Auth;
using WasmWizard.Api.Bootstrap;
using WasmWizard.Api.Hosting;
using WasmWizard.Api.Tests.Infrastructure;
using WasmWizard.Shared.Ports;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Api.Tests.Integration;

/// <summary>
/// <c>Api:AdminApiKey</c>, the admin key from a Kubernetes Secret: it works from the first start, no key file is
/// written, hosts sharing one database agree on one admin, a new secret replaces the old key, and neither a bad
/// value nor the key itself ever shows in a message or the log.
/// </summary>
public sealed class ConfiguredAdminKeyTests
{
    private const string AdminEmail = "admin@wasmwizard.local";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Startup_WithAdminApiKey_KeyIsAdminNoFileIsWrittenAndTheLogHoldsNoKey()
    {
        var key = PrintedKey();
        var sink = new LogCapture();
        using var app = new WasmWizardApp(
            With(key, ("Serilog:MinimumLevel:Default", "Debug")),
            services: sink.AddTo);
        using var admin = app.ClientWithKey(key);

        var users = await admin.GetAsync("/api/admin/users", Token);

        Assert.Equal(HttpStatusCode.OK, users.StatusCode);
        Assert.False(File.Exists(Path.Combine(app.DataDirectory, "admin-api-key")));
        Assert.Contains("Api:AdminApiKey", sink.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(key[3..], sink.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKeys.Hash(key), sink.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restart_WithNewAdminApiKey_OldKeyStopsNewWorksAndTheAuditTrailSaysSo()
    {
        var data = Directory.CreateTempSubdirectory("ww-admin-key-").FullName;
        var (first, second) = (PrintedKey(), PrintedKey());
        using (var before = new WasmWizardApp(With(first), data))
        {
            using var admin = before.ClientWithKey(first);
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/admin/users", Token)).StatusCode);
        }

        using var after = new WasmWizardApp(With(second), data);
        using var oldAdmin = after.ClientWithKey(first);
        using var newAdmin = after.ClientWithKey(second);

        Assert.Equal(HttpStatusCode.Unauthorized, (await oldAdmin.GetAsync("/api/admin/users", Token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await newAdmin.GetAsync("/api/admin/users", Token)).StatusCode);
        var revoked = await RotationEventAsync(newAdmin);
        var reason = revoked.GetProperty("details").GetProperty("reason").GetString();
        Assert.Contains("admin key rotation", reason, StringComparison.Ordinal);
        var trail = await (await newAdmin.GetAsync("/api/audit/events?limit=500", Token)).Content.ReadAsStringAsync(Token);
        foreach (var secret in new[] { first[3..], second[3..], ApiKeys.Hash(first), ApiKeys.Hash(second) })
        {
            Assert.DoesNotContain(secret, trail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Startup_WithTheReplacedKey_FailsSayingItWasRevoked()
    {
        var data = Directory.CreateTempSubdirectory("ww-admin-key-").FullName;
        var (first, second) = (PrintedKey(), PrintedKey());
        using (var before = new WasmWizardApp(With(first), data))
        {
            _ = before.Services;
        }

        using var after = new WasmWizardApp(With(second), data);
        // A replica that still has the old secret starts against the same store.
        var stale = new AdminBootstrapper(
            after.Services.GetRequiredService<IIdentityStore>(),
            after.Services.GetRequiredService<AuditRecorder>(),
            Options.Create(new ApiOptions { AdminApiKey = first }),
            TimeProvider.System,
            NullLogger<AdminBootstrapper>.Instance);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => stale.StartAsync(Token));

        Assert.Contains("revoked", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(first[3..], failure.ToString(), StringComparison.Ordinal);
        using var admin = after.ClientWithKey(second);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/admin/users", Token)).StatusCode);
    }

    [Theory]
    [InlineData("not-a-key-but-a-password-MARKER")]
    [InlineData("ww_MARKERAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("ww_MARKER-with-a-character-out-of-place!!!!!!!")]
    public void Build_InvalidAdminApiKey_FailsNamingTheSettingButNotTheValue(string value)
    {
        // The api service as Kubernetes runs it; what this throws is what its runner logs before exiting.
        var failure = Assert.Throws<OptionsValidationException>(
            () => ApiProgram.Build(["--urls", "http://127.0.0.1:0", "--Api:AdminApiKey=" + value]));

        Assert.Contains("Api:AdminApiKey", failure.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("MARKER", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Startup_SecondHostOnTheSameDatabase_OneAdminUserOneKeyAndBothAcceptIt()
    {
        // Replicas starting at the same moment are the distributed tests' (ReplicaAdminKeyTests): the embedded
        // host creates its database file on first start and is not meant to share it from the first instant.
        var data = Directory.CreateTempSubdirectory("ww-admin-key-").FullName;
        var key = PrintedKey();
        using var one = new WasmWizardApp(With(key), data);
        _ = one.Services;
        using var two = new WasmWizardApp(With(key), data);
        _ = two.Services;

        using var viaOne = one.ClientWithKey(key);
        using var viaTwo = two.ClientWithKey(key);
        var users = await ApiCalls.BodyAsync(await viaOne.GetAsync("/api/admin/users?limit=100", Token));
        var keys = await ApiCalls.BodyAsync(await viaTwo.GetAsync("/api/auth/keys", Token));
        Assert.Single(users.GetProperty("users").EnumerateArray(), u => u.GetProperty("email").GetString() == AdminEmail);
        Assert.Single(keys.EnumerateArray(), k => k.GetProperty("is_active").GetBoolean());
    }

    [Fact]
    public void PrintNewAdminKey_WithoutTheSwitch_PrintsNothing()
    {
        using var output = new StringWriter();

        Assert.False(AdminKeyCommand.TryRun(["--urls", "http://127.0.0.1:0"], output));
        Assert.Empty(output.ToString());
    }

    // The key an operator would put in the secret, made the way the README says.
    private static string PrintedKey()
    {
        using var output = new StringWriter();
        Assert.True(AdminKeyCommand.TryRun([AdminKeyCommand.Switch], output));
        return output.ToString().Trim();
    }

    private static Dictionary<string, string?> With(string key, params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string?> { ["Api:AdminApiKey"] = key };
        foreach (var (name, value) in more)
        {
            settings[name] = value;
        }

        return settings;
    }

    // The embedded host writes audit events through its outbox, in the background.
    private static async Task<JsonElement> RotationEventAsync(HttpClient admin)
    {
        JsonElement found = default;
        await Eventually.HoldsAsync(
            async () =>
            {
                var body = await ApiCalls.BodyAsync(await admin.GetAsync("/api/audit/events?type=key.revoked", Token));
                var events = body.GetProperty("events").EnumerateArray().ToList();
                found = events.FirstOrDefault(e => e.GetProperty("details").TryGetProperty("replaced_by", out _));
                return found.ValueKind == JsonValueKind.Object;
            },
            TimeSpan.FromSeconds(10),
            TimeSpan.FromMilliseconds(50));
        return found;
    }
}
