using System.Net.Http.Json;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using WasmWizard.Api.Tests.Infrastructure;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Api.Tests.Integration;

/// <summary>The published per-tier limits, their headers, and refusal before any expensive work.</summary>
public sealed class RateLimitTests : IClassFixture<RateLimitTests.App>
{
    private readonly WasmWizardApp _app;
    private readonly ManualClock _clock;

    public RateLimitTests(App app)
    {
        _app = app.Instance;
        _clock = app.Clock;
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("free", 5, 10, 6)]
    [InlineData("basic", 20, 100, 1)]
    [InlineData("pro", 100, 1000, 1)]
    public async Task Requests_PastTheTiersBurst_RefusedWithHeadersAndRetryAfter(string tier, int burst, int perMinute, int retryAfter)
    {
        using var user = await _app.CreateUserAsync(tier);

        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i <= burst; i++)
        {
            responses.Add(await user.Client.GetAsync("/api/wasm/modules", Token));
        }

        var allowed = responses.Take(burst).ToList();
        Assert.All(allowed, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var limit = perMinute.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.All(responses, r => Assert.Equal(limit, Header(r, "X-RateLimit-Limit")));
        Assert.Equal(burst - 1, int.Parse(Header(allowed[0], "X-RateLimit-Remaining"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("0", Header(allowed[^1], "X-RateLimit-Remaining"));
        // Full again when the hourly bucket has its `burst` tokens back: burst × 3600 / (hourly budget) seconds.
        var reset = long.Parse(Header(allowed[^1], "X-RateLimit-Reset"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(_clock.GetUtcNow().AddSeconds(burst * 3600.0 / (perMinute * 10)).ToUnixTimeSeconds(), reset);

        var refused = responses[^1];
        await ApiCalls.AssertProblemAsync(refused, HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.Equal(TimeSpan.FromSeconds(retryAfter), refused.Headers.RetryAfter!.Delta);
        Assert.Equal("0", Header(refused, "X-RateLimit-Remaining"));
    }

    [Fact]
    public async Task Requests_Enterprise_UnlimitedWithHeaders()
    {
        using var user = await _app.CreateUserAsync("enterprise");

        for (var i = 0; i < 150; i++)
        {
            var response = await user.Client.GetAsync("/api/wasm/modules", Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("unlimited", Header(response, "X-RateLimit-Limit"));
            Assert.Equal("unlimited", Header(response, "X-RateLimit-Remaining"));
        }
    }

    [Fact]
    public async Task Upload_AfterBudgetSpent_RefusedBeforeTheModuleIsRead()
    {
        using var user = await _app.CreateUserAsync("free");
        for (var i = 0; i < 5; i++)
        {
            await user.Client.GetAsync("/api/wasm/modules", Token);
        }

        // Not a module at all: parsing it would answer 400; the rate check answers first.
        var response = await user.Client.PostAsync("/api/wasm/upload", ApiCalls.ModuleForm([1, 2, 3]), Token);

        await ApiCalls.AssertProblemAsync(response, HttpStatusCode.TooManyRequests, "rate_limited");
    }

    [Fact]
    public async Task KeysOfOneUser_ShareTheUsersBudget_WhileOtherUsersKeepTheirs()
    {
        using var user = await _app.CreateUserAsync("free");
        using var neighbour = await _app.CreateUserAsync("free");
        var second = await ApiCalls.BodyAsync(await user.Client.PostAsJsonAsync("/api/auth/keys", new { name = "b" }, Token));
        using var other = _app.ClientWithKey(second.GetProperty("api_key").GetString()!);
        for (var i = 0; i < 4; i++)
        {
            await user.Client.GetAsync("/api/wasm/modules", Token);
        }

        // A fresh key must not be a way around the user's limit.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await user.Client.GetAsync("/api/wasm/modules", Token)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await other.GetAsync("/api/wasm/modules", Token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await neighbour.Client.GetAsync("/api/wasm/modules", Token)).StatusCode);
    }

    [Fact]
    public async Task TierChange_AppliesAtOnce()
    {
        using var user = await _app.CreateUserAsync("free");
        for (var i = 0; i < 5; i++)
        {
            await user.Client.GetAsync("/api/wasm/modules", Token);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await user.Client.GetAsync("/api/wasm/modules", Token)).StatusCode);
        using var admin = _app.AdminClient();
        var change = await admin.PutAsJsonAsync($"/api/admin/users/{user.Id}/tier", new { tier = "pro" }, Token);
        var after = await user.Client.GetAsync("/api/wasm/modules", Token);

        Assert.Equal(HttpStatusCode.OK, change.StatusCode);
        Assert.Equal("pro", (await ApiCalls.BodyAsync(change)).GetProperty("tier").GetString());
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal("1000", Header(after, "X-RateLimit-Limit"));
    }

    [Theory]
    [InlineData("""{"tier":"gold"}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"tier":"pro"}""", HttpStatusCode.NotFound)]
    public async Task TierChange_BadTierOrUnknownUser_Refused(string body, HttpStatusCode status)
    {
        using var admin = _app.AdminClient();

        var response = await admin.PutAsync(
            $"/api/admin/users/{Guid.NewGuid()}/tier",
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
            Token);

        Assert.Equal(status, response.StatusCode);
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : throw new Xunit.Sdk.XunitException($"no {name} header");

    /// <summary>A host with the published default limits.</summary>
    public sealed class App : IDisposable
    {
        public App() => Instance = new WasmWizardApp(PublishedDefaults(), services: s => s.AddSingleton<TimeProvider>(Clock));

        /// <summary>Frozen unless a test moves it: token arithmetic is exact, whatever the machine's speed.</summary>
        public ManualClock Clock { get; } = new(new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero));

        public WasmWizardApp Instance { get; }

        public void Dispose() => Instance.Dispose();

        private static Dictionary<string, string?> PublishedDefaults() => new()
        {
            ["Api:Tiers:free:RequestsPerMinute"] = "10",
            ["Api:Tiers:free:RequestsPerHour"] = "100",
            ["Api:Tiers:free:Burst"] = "5",
            ["Api:Tiers:basic:RequestsPerMinute"] = "100",
            ["Api:Tiers:basic:RequestsPerHour"] = "1000",
            ["Api:Tiers:basic:Burst"] = "20",
            ["Api:Tiers:pro:RequestsPerMinute"] = "1000",
            ["Api:Tiers:pro:RequestsPerHour"] = "10000",
            ["Api:Tiers:pro:Burst"] = "100",
        };
    }
}
