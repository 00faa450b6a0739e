using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using WasmWizard.Api.Auth;
using WasmWizard.Api.Tests.Infrastructure;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Api.Tests.Integration;

/// <summary>Sign-in with JWTs signed by a configured symmetric key.</summary>
public sealed class JwtTests : IClassFixture<JwtTests.App>
{
    private static readonly byte[] Secret = RandomNumberGenerator.GetBytes(32);
    private static readonly SymmetricSecurityKey Key = new(Secret);

    private readonly WasmWizardApp _app;

    public JwtTests(App app) => _app = app.Instance;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ValidToken_UploadsAndRuns_WithTierLimitsAndHeaders()
    {
        using var client = Client(Tokens.Create(Key, "tenant-a", tier: "pro"));

        var module = await ApiCalls.UploadAsync(client, TestModules.Hello, "hello.wasm");
        var run = await ApiCalls.ExecuteAsync(client, Guid.Parse(module.GetProperty("id").GetString()!), new { timeout_ms = 20_000 });

        Assert.Equal(HttpStatusCode.OK, run.StatusCode);
        Assert.True(run.Headers.Contains("X-RateLimit-Limit"));
    }

    [Fact]
    public async Task Tenants_AreIsolated()
    {
        using var a = Client(Tokens.Create(Key, "tenant-isolated-a"));
        using var b = Client(Tokens.Create(Key, "tenant-isolated-b"));
        var module = await ApiCalls.UploadAsync(a, TestModules.Hello, "mine.wasm");

        var read = await b.GetAsync($"/api/wasm/modules/{module.GetProperty("id").GetString()}", Token);

        await ApiCalls.AssertProblemAsync(read, HttpStatusCode.NotFound, "not_found");
    }

    public static TheoryData<string, string> BadTokens => new()
    {
        { "expired", Tokens.Create(Key, "t", expires: DateTime.UtcNow.AddMinutes(-10)) },
        { "wrong key", Tokens.Create(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)), "t") },
        { "wrong audience", Tokens.Create(Key, "t", audience: "someone-else") },
        { "wrong issuer", Tokens.Create(Key, "t", issuer: "https://evil.test/") },
        { "alg none", Tokens.Unsigned("t") },
        { "unknown tier", Tokens.Create(Key, "t", tier: "platinum") },
        { "garbage", "not.a.token" },
        { "api-key prefix on a valid JWT", "ww_" + Tokens.Create(Key, "t") },
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task BadToken_Unauthorized(string why, string token)
    {
        using var client = Client(token);

        var response = await client.GetAsync("/api/wasm/modules", Token);

        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, why);
        await ApiCalls.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task ExpiredToken_AuditedWithItsReason()
    {
        // A host of its own: failed sign-ins are recorded once per address and minute, and the other tests of this
        // class fail sign-ins from the same (test server) address.
        using var fresh = new App();
        using var client = fresh.Instance.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Bearer", Tokens.Create(Key, "t-audit", expires: DateTime.UtcNow.AddMinutes(-10)));

        var response = await client.GetAsync("/api/wasm/modules", Token);
        var requestId = response.Headers.GetValues("X-Request-Id").Single();

        var events = await fresh.Instance.Services.GetRequiredService<IAuditEventStore>().ListAsync(1000, Token);
        var failed = Assert.Single(events, e => e.RequestId == requestId);
        Assert.Equal(AuditEventTypes.AuthenticationFailed, failed.Type);
        Assert.Equal("The token has expired.", failed.Details["reason"]);
    }

    [Fact]
    public async Task ValidToken_WithoutAdminRole_ForbiddenOnAdminEndpoints()
    {
        using var client = Client(Tokens.Create(Key, "t-plain", tier: "enterprise"));

        var response = await client.GetAsync("/api/admin/users", Token);

        await ApiCalls.AssertProblemAsync(response, HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task ValidToken_WithAdminRole_UsesAdminEndpoints()
    {
        using var client = Client(Tokens.Create(Key, "t-admin", roles: ["admin"]));

        var response = await client.PostAsJsonAsync(
            "/api/admin/users", new { email = $"{Guid.NewGuid():N}@example.com", tier = "basic" }, Token);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task ValidToken_CannotManageApiKeys()
    {
        using var client = Client(Tokens.Create(Key, "t-keys"));

        var response = await client.PostAsJsonAsync("/api/auth/keys", new { name = "x" }, Token);

        await ApiCalls.AssertProblemAsync(response, HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task TokenWhoseSubjectIsAnApiKeyUsersId_IsAnotherTenant_NotThatUser()
    {
        using var victim = await _app.CreateUserAsync();
        var module = await ApiCalls.UploadAsync(victim.Client, TestModules.Hello, "private.wasm");
        using var impostor = Client(Tokens.Create(Key, victim.Id.ToString()));

        var read = await impostor.GetAsync($"/api/wasm/modules/{module.GetProperty("id").GetString()}", Token);
        var list = await ApiCalls.BodyAsync(await impostor.GetAsync("/api/wasm/modules", Token));

        await ApiCalls.AssertProblemAsync(read, HttpStatusCode.NotFound, "not_found");
        Assert.Equal(0, list.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task NewTenantAndTierChange_Audited()
    {
        var tenant = "t-audited-" + Guid.NewGuid().ToString("N");
        using (var first = Client(Tokens.Create(Key, tenant, tier: "basic")))
        {
            Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/api/wasm/modules", Token)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/api/wasm/modules", Token)).StatusCode);
        }

        using (var upgraded = Client(Tokens.Create(Key, tenant, tier: "pro")))
        {
            Assert.Equal(HttpStatusCode.OK, (await upgraded.GetAsync("/api/wasm/modules", Token)).StatusCode);
        }

        var userId = JwtSignIn.TenantId(Tokens.Issuer, tenant);
        var events = (await _app.Services.GetRequiredService<IAuditEventStore>().ListAsync(1000, Token))
            .Where(e => e.SubjectUserId == userId).ToList();
        var created = Assert.Single(events, e => e.Type == AuditEventTypes.UserCreated);
        var changed = Assert.Single(events, e => e.Type == AuditEventTypes.TierChanged);
        Assert.Equal("basic", created.Details["tier"]);
        Assert.Equal("pro", changed.Details["tier"]);
    }

    [Fact]
    public async Task AdminCreatingAUserAtTheTenantsEmailDomain_BadRequest()
    {
        using var admin = _app.AdminClient();
        var email = $"jwt-{JwtSignIn.TenantId(Tokens.Issuer, "t-squatted"):N}@tenants.invalid";

        var response = await admin.PostAsJsonAsync("/api/admin/users", new { email, tier = "free" }, Token);
        using var tenant = Client(Tokens.Create(Key, "t-squatted"));

        await ApiCalls.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_field");
        Assert.Equal(HttpStatusCode.OK, (await tenant.GetAsync("/api/wasm/modules", Token)).StatusCode);
    }

    [Fact]
    public async Task ApiKeys_StillWorkBesideJwt()
    {
        using var user = await _app.CreateUserAsync();

        Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync("/api/wasm/modules", Token)).StatusCode);
    }

    private HttpClient Client(string token)
    {
        var client = _app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public sealed class App : IDisposable
    {
        public WasmWizardApp Instance { get; } = new(new Dictionary<string, string?>
        {
            ["Auth:Jwt:Issuer"] = Tokens.Issuer,
            ["Auth:Jwt:Audience"] = Tokens.Audience,
            ["Auth:Jwt:SigningKey"] = Convert.ToBase64String(Secret),
        });

        public void Dispose() => Instance.Dispose();
    }
}
