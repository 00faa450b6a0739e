using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using WasmWizard.Distributed.Tests.Infrastructure;
using WasmWizard.Executor.Sandbox;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Dapr;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Distributed.Tests.Security;

/// <summary>
/// With <c>DAPR_API_TOKEN</c> and <c>APP_API_TOKEN</c> set, as the README tells operators to: whoever reaches the
/// api's sidecar HTTP port (which the README and config-api.yaml offer as a way in) cannot use it to invoke the
/// executor's internal routes, the audit service's delivery route or the api's actor routes, and a loopback client
/// of the api's own port (every client, under <c>dapr run -f .</c>) cannot call the actor routes either. Each test
/// ends with a control: the same call with the token gets through, so the refusal is the token check's doing.
/// </summary>
public sealed class SidecarTokenTests(SecuredDistributedComposition composition)
    : IClassFixture<SecuredDistributedComposition>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static byte[] EchoModule => File.ReadAllBytes(Path.Combine(RepositoryLocation.Root, "examples", "echo.wasm"));

    private static string RunPath => $"/v1.0/invoke/{DaprNames.ExecutorAppId}/method/{ExecutorProtocol.RunRoute}";

    private long ModulesServed
    {
        get
        {
            // Every run of the executor goes through its compile cache, which counts each module it hands out.
            var statistics = composition.Executor.Services.GetRequiredService<SandboxStatistics>();
            return statistics.Compilations + statistics.DiskLoads + statistics.MemoryHits;
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("guess")]
    public async Task ExecutorRun_ThroughTheApiSidecarWithoutTheApiToken_Is401AndRunsNothing(string? apiToken)
    {
        var served = ModulesServed;
        using var sidecar = SidecarClient(apiToken);

        using var form = RunForm();
        using var refused = await sidecar.PostAsync(RunPath, form, Token);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(served, ModulesServed);

        using var trusted = SidecarClient(composition.ApiToken);
        using var again = RunForm();
        using var control = await trusted.PostAsync(RunPath, again, Token);
        Assert.Equal(HttpStatusCode.OK, control.StatusCode);
        Assert.Equal(served + 1, ModulesServed);
    }

    [Fact]
    public async Task AuditDelivery_ThroughTheApiSidecarWithoutTheApiToken_Is401AndStoresNothing()
    {
        var path = $"/v1.0/invoke/{DaprNames.AuditAppId}/method/events/{DaprNames.AuditTopic}";
        var forged = Forged();
        using var sidecar = SidecarClient(apiToken: null);

        using var refused = await sidecar.PostAsJsonAsync(path, forged, JsonSerializerOptions.Web, Token);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.DoesNotContain(await composition.AuditEventsAsync(Token), e => e.Id == forged.Id);

        var control = Forged();
        using var trusted = SidecarClient(composition.ApiToken);
        using var delivered = await trusted.PostAsJsonAsync(path, control, JsonSerializerOptions.Web, Token);
        Assert.True(delivered.IsSuccessStatusCode, $"The control delivery answered {(int)delivered.StatusCode}.");
        Assert.Contains(await composition.AuditEventsAsync(Token), e => e.Id == control.Id);
    }

    [Fact]
    public async Task ActorDeactivation_ThroughTheApiSidecarWithoutTheApiToken_Is401AndTheBudgetStaysSpent()
    {
        var (userId, user) = await TestUsers.CreateAsync(composition, "free");
        using var _ = user;
        await TestUsers.SpendBurstAsync(user);
        var path = $"/v1.0/invoke/{DaprNames.ApiAppId}/method/{ActorPath(userId)}";
        using var sidecar = SidecarClient(apiToken: null);

        using var refused = await sidecar.DeleteAsync(path, Token);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, await TestUsers.ListStatusAsync(user));

        using var trusted = SidecarClient(composition.ApiToken);
        using var deactivated = await trusted.DeleteAsync(path, Token);
        Assert.Equal(HttpStatusCode.OK, deactivated.StatusCode);
        Assert.Equal(HttpStatusCode.OK, await TestUsers.ListStatusAsync(user));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("guess")]
    public async Task ActorDeactivation_LoopbackClientOfTheApiPortWithoutTheAppToken_IsRefusedAndTheBudgetStaysSpent(
        string? appToken)
    {
        var (userId, user) = await TestUsers.CreateAsync(composition, "free");
        using var _ = user;
        await TestUsers.SpendBurstAsync(user);

        var refused = await DeleteActorOverLoopbackAsync(userId, appToken);

        Assert.Equal(StatusCodes.Status401Unauthorized, refused);
        Assert.Equal(HttpStatusCode.TooManyRequests, await TestUsers.ListStatusAsync(user));

        var control = await DeleteActorOverLoopbackAsync(userId, composition.Api.Sidecar.AppToken);
        Assert.Equal(StatusCodes.Status200OK, control);
        Assert.Equal(HttpStatusCode.OK, await TestUsers.ListStatusAsync(user));
    }

    [Theory]
    [InlineData("PUT", "/actors/RateLimitActor/user:x:free/method/AcquireAsync")]
    [InlineData("GET", "/dapr/config")]
    public async Task OtherSidecarOnlyRoutes_LoopbackClientOfTheApiPortWithoutTheAppToken_Is401(
        string method, string path)
    {
        var context = await composition.Api.Server.SendAsync(
            c =>
            {
                c.Request.Method = method;
                c.Request.Path = path;
                c.Connection.RemoteIpAddress = IPAddress.Loopback;
            },
            Token);

        Assert.Equal(StatusCodes.Status401Unauthorized, context.Response.StatusCode);
    }

    private static string ActorPath(Guid userId) => $"actors/{DaprNames.RateLimitActorType}/user:{userId}:free";

    private async Task<int> DeleteActorOverLoopbackAsync(Guid userId, string? appToken)
    {
        var context = await composition.Api.Server.SendAsync(
            c =>
            {
                c.Request.Method = HttpMethods.Delete;
                c.Request.Path = "/" + ActorPath(userId);
                c.Connection.RemoteIpAddress = IPAddress.Loopback;
                if (appToken is not null)
                {
                    c.Request.Headers[SidecarChannel.TokenHeader] = appToken;
                }
            },
            Token);
        return context.Response.StatusCode;
    }

    private HttpClient SidecarClient(string? apiToken)
    {
        var client = new HttpClient { BaseAddress = new Uri(composition.Api.Sidecar.HttpEndpoint) };
        if (apiToken is not null)
        {
            client.DefaultRequestHeaders.Add("dapr-api-token", apiToken);
        }

        return client;
    }

    private static MultipartFormDataContent RunForm()
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(EchoModule));
        var dto = new ExecutorRunRequestDto(
            sha, "anon.wasm", [], [], new RunLimits(5_000, 64L * 1024 * 1024, null), Tenant: null);
        return new MultipartFormDataContent
        {
            { JsonContent.Create(dto, options: ExecutorProtocol.Json), ExecutorProtocol.RequestPart },
            { Binary("no key needed"u8.ToArray(), "application/octet-stream"), ExecutorProtocol.StdinPart },
            { Binary(EchoModule, ExecutorProtocol.WasmMediaType), ExecutorProtocol.ModulePart },
        };
    }

    private static ByteArrayContent Binary(byte[] bytes, string type) =>
        new(bytes) { Headers = { ContentType = new MediaTypeHeaderValue(type) } };

    private static AuditEvent Forged() => new(
        Guid.CreateVersion7(), AuditEventTypes.UserCreated, DateTimeOffset.UtcNow, Guid.NewGuid(), null, "ww_forged",
        Guid.NewGuid(), null, "192.0.2.1", "forged", new Dictionary<string, string> { ["by"] = "test" });
}
