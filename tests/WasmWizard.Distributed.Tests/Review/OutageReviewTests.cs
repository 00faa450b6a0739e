using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using WasmWizard.Distributed.Tests.Infrastructure;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Distributed.Tests.Review;

/// <summary>
/// Review of the distributed mode (branch review-distributed): what the api does while the pub/sub or the executor
/// is down. Each test starts its own three services, since it breaks them. Tests named Review_*_Fails_* are
/// expected to FAIL today: each one is a finding of the review report.
/// </summary>
public sealed class OutageReviewTests : IAsyncLifetime
{
    private readonly DistributedComposition _composition = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static byte[] EchoModule => File.ReadAllBytes(Path.Combine(RepositoryLocation.Root, "examples", "echo.wasm"));

    public ValueTask InitializeAsync() => _composition.InitializeAsync();

    public ValueTask DisposeAsync() => _composition.DisposeAsync();

    /// <summary>
    /// Finding: while the api's sidecar cannot publish, security events (here: a key created) are dropped after one
    /// warning in the log; the request succeeds and the event never reaches the audit trail, not even once the
    /// broker is back.
    /// </summary>
    [Fact]
    public async Task Review_PubSubDown_Fails_KeyCreatedEventIsLostForGood()
    {
        using var user = await CreateUserAsync("pro");
        HttpResponseMessage created;
        _composition.Api.Sidecar.Faults.PublishUnavailable = true;
        try
        {
            created = await user.PostAsJsonAsync("/api/auth/keys", new { name = "while-down" }, Token);
        }
        finally
        {
            _composition.Api.Sidecar.Faults.PublishUnavailable = false;
        }

        var lostKey = Guid.Parse((await Body(created)).GetProperty("id").GetString()!);
        var later = await user.PostAsJsonAsync("/api/auth/keys", new { name = "after" }, Token);
        var laterKey = Guid.Parse((await Body(later)).GetProperty("id").GetString()!);
        await Eventually.HoldsAsync(() => Trail().Any(e => e.SubjectKeyId == laterKey));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Contains(Trail(), e => e.Type == AuditEventTypes.KeyCreated && e.SubjectKeyId == lostKey);
    }

    /// <summary>
    /// Finding: with the executor down, DELETE of a module answers 503 "try again", yet the module is already gone
    /// (a retry gets 404), and the executor is never told to forget the compiled artifact, which holds the module's
    /// data segments, so it stays on the executor's disk.
    /// </summary>
    [Fact]
    public async Task Review_ExecutorDown_Fails_DeleteAnswers503ButTheModuleIsAlreadyDeleted()
    {
        using var user = await CreateUserAsync("pro");
        var module = await UploadAsync(user);

        await _composition.Executor.DisposeAsync();
        var deleted = await user.DeleteAsync($"/api/wasm/modules/{module}", Token);
        var afterwards = await user.GetAsync($"/api/wasm/modules/{module}", Token);

        // Either the delete is refused and nothing changed, or it succeeded and says so.
        Assert.False(
            deleted.StatusCode == HttpStatusCode.ServiceUnavailable && afterwards.StatusCode == HttpStatusCode.NotFound,
            "DELETE answered 503 (retry) although the module was deleted; the compiled artifact was never forgotten.");
    }

    /// <summary>Check (expected to pass): executor down: runs and uploads get 503 with Retry-After; reads still work.</summary>
    [Fact]
    public async Task Review_ExecutorDown_RunAndUpload503WithRetryAfter_ListStillServed()
    {
        using var user = await CreateUserAsync("pro");
        var module = await UploadAsync(user);

        await _composition.Executor.DisposeAsync();
        var run = await user.PostAsJsonAsync($"/api/wasm/modules/{module}/execute", new { input = "x" }, Token);
        using var form = Form();
        var upload = await user.PostAsync("/api/wasm/upload", form, Token);
        var list = await user.GetAsync("/api/wasm/modules", Token);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, run.StatusCode);
        Assert.NotNull(run.Headers.RetryAfter);
        Assert.Equal("dependency_unavailable", (await Body(run)).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, upload.StatusCode);
        Assert.NotNull(upload.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
    }

    private IReadOnlyList<AuditEvent> Trail() => _composition.AuditEventsAsync(Token).GetAwaiter().GetResult();

    private static async Task<JsonElement> Body(HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>(Token);

    private static MultipartFormDataContent Form() => new()
    {
        { new ByteArrayContent(EchoModule) { Headers = { ContentType = new MediaTypeHeaderValue("application/wasm") } }, "wasm", "echo.wasm" },
    };

    private static async Task<Guid> UploadAsync(HttpClient user)
    {
        using var form = Form();
        var response = await user.PostAsync("/api/wasm/upload", form, Token);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Token));
        return Guid.Parse((await Body(response)).GetProperty("id").GetString()!);
    }

    private async Task<HttpClient> CreateUserAsync(string tier)
    {
        using var admin = Client(_composition.AdminKey);
        var response = await admin.PostAsJsonAsync(
            "/api/admin/users", new { email = $"review-{Guid.NewGuid():N}@example.com", tier }, Token);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Token));
        return Client((await Body(response)).GetProperty("api_key").GetString()!);
    }

    private HttpClient Client(string key)
    {
        var client = _composition.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}
