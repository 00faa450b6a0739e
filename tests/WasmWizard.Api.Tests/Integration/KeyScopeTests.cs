using System.Net.Http.Json;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using WasmWizard.Api.Auth;
using WasmWizard.Api.Tests.Infrastructure;
using WasmWizard.Shared.Ports;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Api.Tests.Integration;

/// <summary>Key scopes, expiry and last use.</summary>
public sealed class KeyScopeTests : IClassFixture<KeyScopeTests.App>
{
    private readonly App _fixture;
    private readonly WasmWizardApp _app;

    public KeyScopeTests(App app)
    {
        _fixture = app;
        _app = app.Instance;
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ExecuteOnlyKey_CannotUploadOrManageKeys_ButRuns()
    {
        using var user = await _app.CreateUserAsync();
        var module = await ApiCalls.UploadAsync(user.Client, TestModules.Hello, "hello.wasm");
        using var runner = await NewKeyClient(user, new { name = "runner", scopes = new[] { "execute" } });

        var upload = await runner.PostAsync("/api/wasm/upload", ApiCalls.ModuleForm(TestModules.Hello), Token);
        var keys = await runner.GetAsync("/api/auth/keys", Token);
        var run = await ApiCalls.ExecuteAsync(runner, Guid.Parse(module.GetProperty("id").GetString()!), new { });
        var list = await runner.GetAsync("/api/wasm/modules", Token);

        await ApiCalls.AssertProblemAsync(upload, HttpStatusCode.Forbidden, "forbidden");
        await ApiCalls.AssertProblemAsync(keys, HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(HttpStatusCode.OK, run.StatusCode);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
    }

    [Fact]
    public async Task UploadOnlyKey_CannotRun()
    {
        using var user = await _app.CreateUserAsync();
        using var uploader = await NewKeyClient(user, new { scopes = new[] { "upload" } });

        var module = await ApiCalls.UploadAsync(uploader, TestModules.Hello, "hello.wasm");
        var run = await ApiCalls.ExecuteAsync(uploader, Guid.Parse(module.GetProperty("id").GetString()!), new { });
        var adHoc = await uploader.PostAsync("/api/wasm/execute", ApiCalls.ModuleForm(TestModules.Hello), Token);

        await ApiCalls.AssertProblemAsync(run, HttpStatusCode.Forbidden, "forbidden");
        await ApiCalls.AssertProblemAsync(adHoc, HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task CreateKey_ScopeTheCallerLacks_Forbidden_UnknownScopeOrNone_BadRequest()
    {
        using var user = await _app.CreateUserAsync();
        using var runner = await NewKeyClient(user, new { scopes = new[] { "execute", "keys" } });

        var admin = await user.Client.PostAsJsonAsync("/api/auth/keys", new { scopes = new[] { "admin" } }, Token);
        var escalate = await runner.PostAsJsonAsync("/api/auth/keys", new { scopes = new[] { "upload" } }, Token);
        var unknown = await user.Client.PostAsJsonAsync("/api/auth/keys", new { scopes = new[] { "root" } }, Token);
        var none = await user.Client.PostAsJsonAsync("/api/auth/keys", new { scopes = Array.Empty<string>() }, Token);

        await ApiCalls.AssertProblemAsync(admin, HttpStatusCode.Forbidden, "forbidden");
        await ApiCalls.AssertProblemAsync(escalate, HttpStatusCode.Forbidden, "forbidden");
        await ApiCalls.AssertProblemAsync(unknown, HttpStatusCode.BadRequest, "invalid_field");
        await ApiCalls.AssertProblemAsync(none, HttpStatusCode.BadRequest, "invalid_field");
    }

    [Fact]
    public async Task RevokeKey_HoldingScopesTheCallerLacks_ForbiddenAndTheKeyStillWorks()
    {
        using var user = await _app.CreateUserAsync();
        var module = await ApiCalls.UploadAsync(user.Client, TestModules.Hello, "hello.wasm");
        var moduleId = Guid.Parse(module.GetProperty("id").GetString()!);
        var runnerCreated = await ApiCalls.BodyAsync(
            await user.Client.PostAsJsonAsync("/api/auth/keys", new { scopes = new[] { "execute", "keys" } }, Token));
        using var runner = _app.ClientWithKey(runnerCreated.GetProperty("api_key").GetString()!);
        using var keyManager = await NewKeyClient(user, new { scopes = new[] { "keys" } });
        var firstKeyId = (await ApiCalls.BodyAsync(await user.Client.GetAsync("/api/auth/keys", Token)))
            .EnumerateArray().Single(k => k.GetProperty("scopes").GetArrayLength() == 3).GetProperty("id").GetString();

        var fuller = await keyManager.DeleteAsync($"/api/auth/keys/{firstKeyId}", Token);
        var runnerByManager = await keyManager.DeleteAsync($"/api/auth/keys/{runnerCreated.GetProperty("id").GetString()}", Token);

        await ApiCalls.AssertProblemAsync(fuller, HttpStatusCode.Forbidden, "forbidden");
        await ApiCalls.AssertProblemAsync(runnerByManager, HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(HttpStatusCode.OK, (await ApiCalls.ExecuteAsync(runner, moduleId, new { })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync("/api/wasm/modules", Token)).StatusCode);
    }

    [Fact]
    public async Task RevokeKey_WithNoMoreScopesThanTheCaller_RevokedAtOnce()
    {
        using var user = await _app.CreateUserAsync();
        var runnerCreated = await ApiCalls.BodyAsync(
            await user.Client.PostAsJsonAsync("/api/auth/keys", new { scopes = new[] { "execute" } }, Token));
        using var runner = _app.ClientWithKey(runnerCreated.GetProperty("api_key").GetString()!);
        using var manager = await NewKeyClient(user, new { scopes = new[] { "execute", "keys" } });
        Assert.Equal(HttpStatusCode.OK, (await runner.GetAsync("/api/wasm/modules", Token)).StatusCode);

        var revoked = await manager.DeleteAsync($"/api/auth/keys/{runnerCreated.GetProperty("id").GetString()}", Token);
        var unknown = await manager.DeleteAsync($"/api/auth/keys/{Guid.NewGuid()}", Token);

        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        await ApiCalls.AssertUnauthorizedAsync(runner);
        await ApiCalls.AssertProblemAsync(unknown, HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task CreateKey_Response_CarriesIdTwiceScopesAndExpiry()
    {
        using var user = await _app.CreateUserAsync();
        var expires = _fixture.Clock.GetUtcNow().AddDays(30);

        var created = await ApiCalls.BodyAsync(
            await user.Client.PostAsJsonAsync("/api/auth/keys", new { name = "ci", expires_at = expires }, Token));

        Assert.Equal(created.GetProperty("id").GetString(), created.GetProperty("api_key_id").GetString());
        Assert.Equal(["execute", "upload", "keys"], created.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(expires, created.GetProperty("expires_at").GetDateTimeOffset());
    }

    [Fact]
    public async Task ExpiredKey_Unauthorized_AndListedInactive()
    {
        using var user = await _app.CreateUserAsync();
        var expires = _fixture.Clock.GetUtcNow().AddHours(1);
        var created = await ApiCalls.BodyAsync(
            await user.Client.PostAsJsonAsync("/api/auth/keys", new { expires_at = expires }, Token));
        using var temporary = _app.ClientWithKey(created.GetProperty("api_key").GetString()!);
        Assert.Equal(HttpStatusCode.OK, (await temporary.GetAsync("/api/wasm/modules", Token)).StatusCode);

        _fixture.Clock.Advance(TimeSpan.FromHours(2));

        await ApiCalls.AssertUnauthorizedAsync(temporary);
        var keys = await ApiCalls.BodyAsync(await user.Client.GetAsync("/api/auth/keys", Token));
        var listed = Assert.Single(keys.EnumerateArray(), k => k.GetProperty("id").GetString() == created.GetProperty("id").GetString());
        Assert.False(listed.GetProperty("is_active").GetBoolean());
    }

    [Fact]
    public async Task CreateKey_ExpiryInThePast_BadRequest()
    {
        using var user = await _app.CreateUserAsync();

        var response = await user.Client.PostAsJsonAsync(
            "/api/auth/keys", new { expires_at = _fixture.Clock.GetUtcNow().AddMinutes(-1) }, Token);

        await ApiCalls.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_field");
    }

    [Fact]
    public async Task CreateKey_ExpiryWithoutOffset_BadRequest()
    {
        using var user = await _app.CreateUserAsync();

        var response = await user.Client.PostAsJsonAsync("/api/auth/keys", new { expires_at = "2099-01-01T00:00:00" }, Token);

        await ApiCalls.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_field");
    }

    [Fact]
    public async Task CreateKey_FromAnExpiringKey_CannotOutliveIt()
    {
        using var user = await _app.CreateUserAsync();
        var parentExpiry = _fixture.Clock.GetUtcNow().AddHours(1);
        using var parent = await NewKeyClient(user, new { expires_at = parentExpiry });

        var forever = await ApiCalls.BodyAsync(await parent.PostAsJsonAsync("/api/auth/keys", new { name = "forever" }, Token));
        var later = await ApiCalls.BodyAsync(
            await parent.PostAsJsonAsync("/api/auth/keys", new { expires_at = parentExpiry.AddDays(30) }, Token));

        foreach (var child in new[] { forever, later })
        {
            var expires = child.GetProperty("expires_at").GetDateTimeOffset();
            Assert.InRange(expires, parentExpiry.AddSeconds(-1), parentExpiry);
        }
    }

    [Fact]
    public async Task CreateKey_PastTheActiveKeyCap_ConflictUntilOneIsRevoked()
    {
        using var app = new WasmWizardApp(new Dictionary<string, string?> { ["Api:MaxActiveKeysPerUser"] = "3" });
        using var user = await app.CreateUserAsync();
        var ids = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var created = await user.Client.PostAsJsonAsync("/api/auth/keys", new { name = "k" + i }, Token);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            ids.Add((await ApiCalls.BodyAsync(created)).GetProperty("id").GetString()!);
        }

        var refused = await user.Client.PostAsJsonAsync("/api/auth/keys", new { name = "one too many" }, Token);
        await user.Client.DeleteAsync($"/api/auth/keys/{ids[0]}", Token);
        var afterRevoke = await user.Client.PostAsJsonAsync("/api/auth/keys", new { name = "replacement" }, Token);

        await ApiCalls.AssertProblemAsync(refused, HttpStatusCode.Conflict, "key_limit");
        Assert.Equal(HttpStatusCode.Created, afterRevoke.StatusCode);
    }

    [Fact]
    public async Task LastUsed_ShownAtOnce_WrittenOnlyWhenFlushed()
    {
        using var user = await _app.CreateUserAsync();
        var writesBefore = _fixture.Store.UsageWrites;

        for (var i = 0; i < 10; i++)
        {
            await user.Client.GetAsync("/api/wasm/modules", Token);
        }

        var keys = await ApiCalls.BodyAsync(await user.Client.GetAsync("/api/auth/keys", Token));
        var first = Assert.Single(keys.EnumerateArray());
        Assert.Equal(_fixture.Clock.GetUtcNow(), first.GetProperty("last_used").GetDateTimeOffset());
        Assert.Equal(writesBefore, _fixture.Store.UsageWrites);

        await _app.Services.GetRequiredService<KeyUsageFlusher>().FlushAsync(Token);

        Assert.Equal(writesBefore + 1, _fixture.Store.UsageWrites);
        var stored = await _app.Services.GetRequiredService<IIdentityStore>().ListKeysAsync(user.Id, Token);
        Assert.Equal(_fixture.Clock.GetUtcNow(), Assert.Single(stored).LastUsedAt);
    }

    private async Task<HttpClient> NewKeyClient(TestUser user, object request)
    {
        var response = await user.Client.PostAsJsonAsync("/api/auth/keys", request, Token);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return _app.ClientWithKey((await ApiCalls.BodyAsync(response)).GetProperty("api_key").GetString()!);
    }

    /// <summary>A host with a movable clock and a store that counts usage writes.</summary>
    public sealed class App : IDisposable
    {
        public App() => Instance = new WasmWizardApp(services: services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            var registration = services.Last(d => d.ServiceType == typeof(IIdentityStore));
            services.Remove(registration);
            services.AddSingleton(sp => Store = new CountingIdentityStore(
                (IIdentityStore)ActivatorUtilities.CreateInstance(sp, registration.ImplementationType!)));
            services.AddSingleton<IIdentityStore>(sp => sp.GetRequiredService<CountingIdentityStore>());
        });

        public ManualClock Clock { get; } = new(DateTimeOffset.UtcNow);

        public CountingIdentityStore Store { get; private set; } = null!;

        public WasmWizardApp Instance { get; }

        public void Dispose() => Instance.Dispose();
    }
}
