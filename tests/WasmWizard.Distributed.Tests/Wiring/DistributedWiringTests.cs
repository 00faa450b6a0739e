using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using WasmWizard.DaprDouble.State;
using WasmWizard.Distributed.Tests.Infrastructure;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Dapr;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Distributed.Tests.Wiring;

/// <summary>
/// What the scenario suite cannot see from outside: that the three services really share only Dapr. Module bytes sit
/// in the shared store where the executor reads them, the executor compiles onto its own disk, the budgets live in
/// actors, audit events cross the broker, and a sidecar that fails becomes a clear 503 instead of a crash.
/// </summary>
public sealed class DistributedWiringTests(DistributedComposition composition) : IClassFixture<DistributedComposition>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static byte[] EchoModule => File.ReadAllBytes(Path.Combine(RepositoryLocation.Root, "examples", "echo.wasm"));

    [Fact]
    public async Task Upload_BytesInTheSharedStore_CompiledOnTheExecutorsDisk_RunByTheExecutor()
    {
        using var user = await CreateUserAsync("pro");
        var sha = Convert.ToHexStringLower(SHA256.HashData(EchoModule));

        var module = await UploadAsync(user, EchoModule);
        var run = await user.PostAsJsonAsync($"/api/wasm/modules/{module}/execute", new { input = "shared" }, Token);

        // keyPrefix: name puts the store's name before the key, so the executor finds what the api wrote.
        var stored = composition.Network.StateStore(DaprNames.StateStore)
            .Get(DaprNames.StateStore + KeyPrefix.Separator + DaprStateKeys.ModuleBytes(sha));
        Assert.NotNull(stored);
        Assert.Equal(EchoModule, stored.Value.ToArray());
        Assert.Contains(
            Directory.EnumerateFiles(composition.CompiledDirectory),
            f => Path.GetFileName(f).StartsWith(sha, StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, run.StatusCode);
        Assert.Equal("Hello from WebAssembly!\nshared", (await BodyAsync(run)).GetProperty("output").GetString());
    }

    [Fact]
    public async Task AuthenticatedRequest_CountedByTheRateLimitActorTheApiHosts()
    {
        using var user = await CreateUserAsync("free");

        var response = await user.GetAsync("/api/wasm/modules", Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // The free tier's burst of 5, less this request. Only the actor counts: when it cannot be reached the api lets
        // the request through without a remaining count.
        Assert.Equal("4", Assert.Single(response.Headers.GetValues("X-RateLimit-Remaining")));
        Assert.Contains(DaprNames.RateLimitActorType, composition.Api.Sidecar.ActorTypes);
    }

    [Fact]
    public async Task KeyCreated_AuditEventPublishedOnTheTopic_AndKeptByTheAuditService()
    {
        using var user = await CreateUserAsync("basic");

        var created = await user.PostAsJsonAsync("/api/auth/keys", new { name = "laptop" }, Token);
        var keyId = Guid.Parse((await BodyAsync(created)).GetProperty("id").GetString()!);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var published = await composition.Network.WhenPublishedAsync(
            DaprNames.AuditTopic,
            e => e.DataAs<AuditEvent>(JsonSerializerOptions.Web)?.SubjectKeyId == keyId,
            cancellationToken: Token);
        Assert.Equal(DaprNames.PubSub, published.PubSubName);
        Assert.Equal(DaprNames.ApiAppId, published.PublisherAppId);
        await Eventually.HoldsAsync(() => composition.AuditEventsAsync(Token).GetAwaiter().GetResult()
            .Any(e => e.Id == published.DataAs<AuditEvent>(JsonSerializerOptions.Web)!.Id));
    }

    [Fact]
    public async Task StateStoreDown_503DependencyUnavailable_WithRetryAfter_ThenServedAgain()
    {
        using var user = await CreateUserAsync("pro");
        HttpResponseMessage refused;
        composition.Api.Sidecar.Faults.StateUnavailable = true;
        try
        {
            refused = await user.GetAsync("/api/wasm/modules", Token);
        }
        finally
        {
            composition.Api.Sidecar.Faults.StateUnavailable = false;
        }

        var served = await user.GetAsync("/api/wasm/modules", Token);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("dependency_unavailable", (await BodyAsync(refused)).GetProperty("code").GetString());
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task AsynchronousExecution_AnnouncedOnTheTopic_RunByTheExecutor_ResultPublishedAndStored()
    {
        using var user = await CreateUserAsync("pro");
        var module = await UploadAsync(user, EchoModule);

        var submitted = await user.PostAsJsonAsync($"/api/wasm/modules/{module}/executions", new { input = "queued" }, Token);
        var id = (await BodyAsync(submitted)).GetProperty("execution_id").GetGuid();
        var request = await composition.Network.WhenPublishedAsync(
            DaprNames.ExecutionRequestsTopic, e => e.DataAs<JsonElement>().GetProperty("request_id").GetGuid() == id, cancellationToken: Token);
        var result = await composition.Network.WhenPublishedAsync(
            DaprNames.ExecutionResultsTopic, e => e.DataAs<JsonElement>().GetProperty("request_id").GetGuid() == id, cancellationToken: Token);
        var polled = await user.GetAsync($"/api/executions/{id}", Token);

        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        Assert.Equal(DaprNames.ApiAppId, request.PublisherAppId);
        Assert.Equal(DaprNames.ExecutorAppId, result.PublisherAppId);
        var answer = result.DataAs<JsonElement>();
        Assert.Equal("completed", answer.GetProperty("status").GetString());
        Assert.Equal("Hello from WebAssembly!\nqueued", answer.GetProperty("output").GetString());
        Assert.Equal(HttpStatusCode.OK, polled.StatusCode);
        var stored = await BodyAsync(polled);
        Assert.Equal("completed", stored.GetProperty("status").GetString());
        Assert.Equal("Hello from WebAssembly!\nqueued", stored.GetProperty("output").GetString());
    }

    [Fact]
    public async Task Readiness_ReportsEachServicesSidecar()
    {
        using var api = composition.Api.CreateClient();
        using var executor = composition.Executor.CreateClient();

        var apiReady = await api.GetAsync("/health/ready", Token);
        composition.Executor.Sidecar.IsReady = false;
        HttpResponseMessage executorNotReady;
        try
        {
            executorNotReady = await executor.GetAsync("/health/ready", Token);
        }
        finally
        {
            composition.Executor.Sidecar.IsReady = true;
        }

        Assert.Equal(HttpStatusCode.OK, apiReady.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, executorNotReady.StatusCode);
        Assert.Contains("dapr-sidecar", await executorNotReady.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_EachService_ReportsItsOwnDependencies()
    {
        using var api = composition.Api.CreateClient();
        using var executor = composition.Executor.CreateClient();
        using var audit = composition.Audit.CreateClient();

        var reports = new[]
        {
            await BodyAsync(await api.GetAsync("/health", Token)),
            await BodyAsync(await executor.GetAsync("/health", Token)),
            await BodyAsync(await audit.GetAsync("/health", Token)),
        };

        string[] Checks(JsonElement report) =>
            [.. report.GetProperty("checks").EnumerateObject().Select(c => c.Name).Order(StringComparer.Ordinal)];
        Assert.Equal(["dapr-sidecar", "state-store"], Checks(reports[0]));
        Assert.Equal(["dapr-sidecar", "sandbox"], Checks(reports[1]));
        Assert.Equal(["audit-store", "dapr-sidecar"], Checks(reports[2]));
        Assert.All(reports, r => Assert.Equal("healthy", r.GetProperty("status").GetString()));
        Assert.True(reports[1].GetProperty("checks").GetProperty("sandbox").GetProperty("data")
            .GetProperty("free_slots").GetInt32() > 0);
    }

    [Fact]
    public async Task Readiness_ApiStateStoreDown_NotReadyWhileLive()
    {
        using var api = composition.Api.CreateClient();
        var ready = await BodyAsync(await api.GetAsync("/health/ready", Token));

        composition.Api.Sidecar.Faults.StateUnavailable = true;
        HttpResponseMessage notReady;
        HttpResponseMessage live;
        try
        {
            notReady = await api.GetAsync("/health/ready", Token);
            live = await api.GetAsync("/health/live", Token);
        }
        finally
        {
            composition.Api.Sidecar.Faults.StateUnavailable = false;
        }

        Assert.Equal("healthy", ready.GetProperty("checks").GetProperty("state-store").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        var checks = (await BodyAsync(notReady)).GetProperty("checks");
        Assert.Equal("unhealthy", checks.GetProperty("state-store").GetProperty("status").GetString());
        Assert.Equal("healthy", checks.GetProperty("dapr-sidecar").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    private static async Task<JsonElement> BodyAsync(HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>(Token);

    private static async Task<string> UploadAsync(HttpClient user, byte[] wasm)
    {
        using var form = new MultipartFormDataContent
        {
            {
                new ByteArrayContent(wasm) { Headers = { ContentType = new MediaTypeHeaderValue("application/wasm") } },
                "wasm",
                "echo.wasm"
            },
        };
        var response = await user.PostAsync("/api/wasm/upload", form, Token);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Token));
        return (await BodyAsync(response)).GetProperty("id").GetString()!;
    }

    private async Task<HttpClient> CreateUserAsync(string tier)
    {
        using var admin = Client(composition.AdminKey);
        var response = await admin.PostAsJsonAsync(
            "/api/admin/users", new { email = $"user-{Guid.NewGuid():N}@example.com", tier }, Token);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Token));
        return Client((await BodyAsync(response)).GetProperty("api_key").GetString()!);
    }

    private HttpClient Client(string key)
    {
        var client = composition.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}
