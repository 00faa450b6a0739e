using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using WasmWizard.Api.Tests.Infrastructure;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Api.Tests.Integration;

/// <summary>Security-relevant events reach the audit topic and are kept durably by the embedded host.</summary>
public sealed class AuditTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FirstStart_RecordsTheAdminsCreation()
    {
        using var app = new WasmWizardApp();
        _ = app.AdminKey;

        var events = await Events(app);

        Assert.Contains(events, e => e.Type == AuditEventTypes.UserCreated && e.Details["tier"] == "enterprise");
        Assert.Contains(
            events, e => e.Type == AuditEventTypes.KeyCreated && e.Details["scopes"].Contains("admin", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UserAndKeyLifecycle_EachStepRecordedWithActorAndSubject()
    {
        using var app = new WasmWizardApp();
        using var admin = app.AdminClient();
        using var user = await app.CreateUserAsync("basic");
        var key = await ApiCalls.BodyAsync(
            await user.Client.PostAsJsonAsync("/api/auth/keys", new { name = "ci", scopes = new[] { "execute" } }, Token));
        var keyId = Guid.Parse(key.GetProperty("id").GetString()!);
        await user.Client.DeleteAsync($"/api/auth/keys/{keyId}", Token);
        var again = await user.Client.DeleteAsync($"/api/auth/keys/{keyId}", Token);
        await admin.PutAsJsonAsync($"/api/admin/users/{user.Id}/tier", new { tier = "pro" }, Token);

        var events = await Events(app);

        var created = Assert.Single(events, e => e.Type == AuditEventTypes.UserCreated && e.SubjectUserId == user.Id);
        Assert.NotNull(created.ActorUserId);
        Assert.NotNull(created.ActorKeyPrefix);
        var keyCreated = Assert.Single(events, e => e.Type == AuditEventTypes.KeyCreated && e.SubjectKeyId == keyId);
        Assert.Equal(user.Id, keyCreated.ActorUserId);
        Assert.Equal(user.ApiKeyId, keyCreated.ActorKeyId);
        Assert.Equal(key.GetProperty("prefix").GetString(), keyCreated.Details["prefix"]);
        Assert.Equal("execute", keyCreated.Details["scopes"]);
        // Revoking an already revoked key answers the same but records nothing more.
        Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
        Assert.Single(events, e => e.Type == AuditEventTypes.KeyRevoked && e.SubjectKeyId == keyId && e.ActorUserId == user.Id);
        var tier = Assert.Single(events, e => e.Type == AuditEventTypes.TierChanged && e.SubjectUserId == user.Id);
        Assert.Equal("basic", tier.Details["previous_tier"]);
        Assert.Equal("pro", tier.Details["tier"]);
    }

    [Fact]
    public async Task FailedAuthentication_RecordedWithReasonAndRequestId()
    {
        using var app = new WasmWizardApp();
        using var guesser = app.ClientWithKey("ww_" + new string('B', 43));

        var response = await guesser.GetAsync("/api/wasm/modules", Token);
        var requestId = response.Headers.GetValues("X-Request-Id").Single();

        var failed = Assert.Single(await Events(app), e => e.Type == AuditEventTypes.AuthenticationFailed);
        Assert.Equal(requestId, failed.RequestId);
        Assert.Null(failed.ActorUserId);
        Assert.Contains("unknown, revoked or expired", failed.Details["reason"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task RateLimitExceeded_RecordedOncePerWindowNotPerRequest()
    {
        using var app = new WasmWizardApp(new Dictionary<string, string?>
        {
            ["Api:Tiers:free:RequestsPerMinute"] = "10",
            ["Api:Tiers:free:RequestsPerHour"] = "100",
            ["Api:Tiers:free:Burst"] = "2",
        });
        using var user = await app.CreateUserAsync("free");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            statuses.Add((await user.Client.GetAsync("/api/wasm/modules", Token)).StatusCode);
        }

        Assert.Equal(6, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        var exceeded = Assert.Single(await Events(app), e => e.Type == AuditEventTypes.RateLimitExceeded);
        Assert.Equal(user.Id, exceeded.ActorUserId);
        Assert.Equal("credential", exceeded.Details["limit"]);
    }

    [Fact]
    public async Task AuditRecords_NeverHoldAKey()
    {
        using var app = new WasmWizardApp();
        using var user = await app.CreateUserAsync();
        var second = await ApiCalls.BodyAsync(await user.Client.PostAsJsonAsync("/api/auth/keys", new { name = "x" }, Token));
        using var bad = app.ClientWithKey(user.ApiKey[..^1] + (user.ApiKey[^1] == 'A' ? 'B' : 'A'));
        await bad.GetAsync("/api/wasm/modules", Token);

        var text = JsonSerializer.Serialize(await Events(app));

        Assert.DoesNotContain(user.ApiKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain(user.ApiKey[3..], text, StringComparison.Ordinal);
        Assert.DoesNotContain(second.GetProperty("api_key").GetString()!, text, StringComparison.Ordinal);
        Assert.DoesNotContain(app.AdminKey, text, StringComparison.Ordinal);
    }

    private static async Task<IReadOnlyList<AuditEvent>> Events(WasmWizardApp app) =>
        await app.Services.GetRequiredService<IAuditEventStore>().ListAsync(1000, Token);
}
