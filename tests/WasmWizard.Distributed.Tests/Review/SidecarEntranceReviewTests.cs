using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using WasmWizard.Distributed.Tests.Infrastructure;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Dapr;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Distributed.Tests.Review;

/// <summary>
/// Review of the distributed mode (branch review-distributed): what a client can do through the api sidecar's HTTP
/// port, which the README offers as a way in ("Sent through the api's sidecar instead
/// (http://localhost:3510/v1.0/invoke/api/method/api/...)") and config-api.yaml as an ingress target, and through
/// the api's own port over loopback, which is where every client of `dapr run -f .` connects (localhost:5100).
/// Tests named Review_*_Fails_* are expected to FAIL today: each one is a finding of the review report.
/// </summary>
public sealed class SidecarEntranceReviewTests(DistributedComposition composition) : IClassFixture<DistributedComposition>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static byte[] EchoModule => File.ReadAllBytes(Path.Combine(RepositoryLocation.Root, "examples", "echo.wasm"));

    /// <summary>
    /// Finding: anyone who can reach the api's sidecar HTTP port runs modules on the executor with no API key, no tier,
    /// no quota and no rate limit: the sidecar invokes any app id, and the executor's guard accepts whatever its own
    /// sidecar forwards (over loopback, or with APP_API_TOKEN, which that sidecar adds itself).
    /// </summary>
    [Fact]
    public async Task Review_ApiSidecarInvokeOfExecutorInternalRun_Fails_RunsAModuleWithoutAnyKey()
    {
        using var sidecar = SidecarClient();
        var sha = Convert.ToHexStringLower(SHA256.HashData(EchoModule));
        var dto = new ExecutorRunRequestDto(
            sha, "anon.wasm", [], [], new RunLimits(5_000, 64L * 1024 * 1024, null), Tenant: null);
        using var form = new MultipartFormDataContent
        {
            { JsonContent.Create(dto, options: ExecutorProtocol.Json), ExecutorProtocol.RequestPart },
            { Binary("no key needed"u8.ToArray(), "application/octet-stream"), ExecutorProtocol.StdinPart },
            { Binary(EchoModule, ExecutorProtocol.WasmMediaType), ExecutorProtocol.ModulePart },
        };

        var response = await sidecar.PostAsync(
            $"/v1.0/invoke/{DaprNames.ExecutorAppId}/method/{ExecutorProtocol.RunRoute}", form, Token);
        var body = await response.Content.ReadAsStringAsync(Token);

        // stdout comes back base64: "Hello from WebAssembly!\nno key needed".
        var stdout = Convert.ToBase64String("Hello from WebAssembly!\nno key needed"u8.ToArray());
        Assert.False(
            response.StatusCode == HttpStatusCode.OK && body.Contains(stdout, StringComparison.Ordinal),
            $"An unauthenticated client ran a module through the api's sidecar: {(int)response.StatusCode}, succeeded.");
    }

    /// <summary>
    /// Finding: through the api's sidecar a client writes into the audit trail whatever it likes (here an event that
    /// blames the admin), because the audit service's delivery route trusts its own sidecar's invocations.
    /// </summary>
    [Fact]
    public async Task Review_ApiSidecarInvokeOfAuditDeliveryRoute_Fails_ForgesAnAuditEvent()
    {
        using var sidecar = SidecarClient();
        var forged = new AuditEvent(
            Guid.CreateVersion7(), AuditEventTypes.UserCreated, DateTimeOffset.UtcNow, Guid.NewGuid(), null, "ww_forged",
            Guid.NewGuid(), null, "192.0.2.1", "forged", new Dictionary<string, string> { ["by"] = "review" });

        var response = await sidecar.PostAsJsonAsync(
            $"/v1.0/invoke/{DaprNames.AuditAppId}/method/events/{DaprNames.AuditTopic}", forged, JsonSerializerOptions.Web, Token);
        var trail = await composition.AuditEventsAsync(Token);

        Assert.DoesNotContain(trail, e => e.Id == forged.Id);
        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>
    /// Finding: a user refills their own request budget whenever they like by deactivating their rate-limit actor
    /// through the api's sidecar (DELETE /actors/{type}/{id} is the actor runtime's deactivation route; the buckets
    /// live only in the actor's fields).
    /// </summary>
    [Fact]
    public async Task Review_ApiSidecarInvokeOfActorDeactivation_Fails_RefillsTheCallersRateLimit()
    {
        var (userId, user) = await CreateUserAsync("free");
        using var _ = user;
        await SpendBurstAsync(user);

        using var sidecar = SidecarClient();
        var deactivated = await sidecar.DeleteAsync(
            $"/v1.0/invoke/{DaprNames.ApiAppId}/method/actors/{DaprNames.RateLimitActorType}/user:{userId}:free", Token);
        var after = await user.GetAsync("/api/wasm/modules", Token);

        Assert.Equal(HttpStatusCode.TooManyRequests, after.StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, deactivated.StatusCode);
    }

    /// <summary>
    /// Finding: the same without the sidecar. With `dapr run -f .` every public client reaches the api over loopback
    /// (README: http://localhost:5100), and without APP_API_TOKEN loopback is all the /actors guard asks for.
    /// </summary>
    [Fact]
    public async Task Review_LoopbackClientOfTheApiPort_Fails_DeactivatesItsRateLimitActor()
    {
        var (userId, user) = await CreateUserAsync("free");
        using var _ = user;
        await SpendBurstAsync(user);

        var deactivated = await composition.Api.Server.SendAsync(
            c =>
            {
                c.Request.Method = HttpMethods.Delete;
                c.Request.Path = $"/actors/{DaprNames.RateLimitActorType}/user:{userId}:free";
                c.Connection.RemoteIpAddress = IPAddress.Loopback;
            },
            Token);
        var after = await user.GetAsync("/api/wasm/modules", Token);

        Assert.Equal(HttpStatusCode.TooManyRequests, after.StatusCode);
        Assert.NotEqual(StatusCodes.Status200OK, deactivated.Response.StatusCode);
    }

    /// <summary>Check (expected to pass): a caller from another address is kept off the api's sidecar-only routes.</summary>
    [Theory]
    [InlineData("DELETE", "/actors/RateLimitActor/user:x:free")]
    [InlineData("PUT", "/actors/RateLimitActor/user:x:free/method/AcquireAsync")]
    [InlineData("GET", "/dapr/config")]
    [InlineData("GET", "/ACTORS/RateLimitActor/user:x:free")]
    public async Task Review_ApiSidecarOnlyRoutes_FromAnotherAddress_Refused(string method, string path)
    {
        var context = await composition.Api.Server.SendAsync(
            c =>
            {
                c.Request.Method = method;
                c.Request.Path = path;
                c.Connection.RemoteIpAddress = IPAddress.Parse("192.0.2.44");
            },
            Token);

        Assert.Equal(StatusCodes.Status403Forbidden, context.Response.StatusCode);
    }

    /// <summary>Check (expected to pass): a caller from another address is kept off the executor's internal routes.</summary>
    [Theory]
    [InlineData("POST", "/internal/v1/runs")]
    [InlineData("POST", "/Internal/v1/modules")]
    [InlineData("DELETE", "/internal/v1/modules/0000000000000000000000000000000000000000000000000000000000000000")]
    public async Task Review_ExecutorInternalRoutes_FromAnotherAddress_Refused(string method, string path)
    {
        var context = await composition.Executor.Server.SendAsync(
            c =>
            {
                c.Request.Method = method;
                c.Request.Path = path;
                c.Connection.RemoteIpAddress = IPAddress.Parse("192.0.2.45");
            },
            Token);

        Assert.Equal(StatusCodes.Status403Forbidden, context.Response.StatusCode);
    }

    /// <summary>
    /// Check (expected to pass): X-Forwarded-For / X-Real-IP / traceparent / dapr-api-token from a public client do
    /// not move it to a fresh address budget.
    /// </summary>
    [Fact]
    public async Task Review_ForgedForwardingHeaders_DoNotEscapeTheAddressBudget()
    {
        var statuses = new List<int>();
        for (var i = 0; i < 25; i++)
        {
            var n = i;
            var context = await composition.Api.Server.SendAsync(
                c =>
                {
                    c.Request.Method = HttpMethods.Get;
                    c.Request.Path = "/api/wasm/modules";
                    c.Request.Headers.Authorization = "Bearer ww_wrongwrongwrong" + n;
                    c.Request.Headers["X-Forwarded-For"] = $"198.51.100.{n}";
                    c.Request.Headers["X-Real-IP"] = $"198.51.100.{n}";
                    c.Request.Headers["Forwarded"] = $"for=198.51.100.{n}";
                    c.Request.Headers["dapr-api-token"] = "guess";
                    c.Request.Headers["dapr-caller-app-id"] = DaprNames.ApiAppId;
                    c.Request.Headers["traceparent"] = $"00-{n:x32}-00f067aa0ba902b7-01";
                    c.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.77");
                },
                Token);
            statuses.Add(context.Response.StatusCode);
        }

        Assert.Equal(StatusCodes.Status429TooManyRequests, statuses[^1]);
    }

    /// <summary>Check (expected to pass): a module over 16 MiB is a clear 413, not a 500.</summary>
    [Fact]
    public async Task Review_ModuleOver16MiB_413()
    {
        var (_, user) = await CreateUserAsync("pro");
        using var __ = user;
        var big = new byte[(16 * 1024 * 1024) + 1];
        EchoModule.CopyTo(big, 0);
        using var form = new MultipartFormDataContent { { Binary(big, "application/wasm"), "wasm", "big.wasm" } };
        using var adHoc = new MultipartFormDataContent
        {
            { Binary(big, "application/wasm"), "wasm", "big.wasm" },
            { new StringContent("x"), "input" },
        };

        var upload = await user.PostAsync("/api/wasm/upload", form, Token);
        var run = await user.PostAsync("/api/wasm/execute", adHoc, Token);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, upload.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, run.StatusCode);
    }

    private HttpClient SidecarClient() => new() { BaseAddress = new Uri(composition.Api.Sidecar.HttpEndpoint) };

    private static ByteArrayContent Binary(byte[] bytes, string type) =>
        new(bytes) { Headers = { ContentType = new MediaTypeHeaderValue(type) } };

    private static async Task SpendBurstAsync(HttpClient user)
    {
        HttpResponseMessage last;
        var tries = 0;
        do
        {
            last = await user.GetAsync("/api/wasm/modules", Token);
        }
        while (last.StatusCode != HttpStatusCode.TooManyRequests && ++tries < 20);
        Assert.Equal(HttpStatusCode.TooManyRequests, last.StatusCode);
    }

    private async Task<(Guid Id, HttpClient Client)> CreateUserAsync(string tier)
    {
        using var admin = Client(composition.AdminKey);
        var response = await admin.PostAsJsonAsync(
            "/api/admin/users", new { email = $"review-{Guid.NewGuid():N}@example.com", tier }, Token);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Token));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Token);
        return (Guid.Parse(body.GetProperty("id").GetString()!), Client(body.GetProperty("api_key").GetString()!));
    }

    private HttpClient Client(string key)
    {
        var client = composition.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}
