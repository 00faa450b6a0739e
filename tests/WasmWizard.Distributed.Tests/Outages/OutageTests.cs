using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using WasmWizard.DaprDouble;
using WasmWizard.Distributed.Tests.Infrastructure;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Distributed.Tests.Outages;

/// <summary>
/// What the api does while the executor or the broker is down, and after: nothing the user was told happened is
/// lost, and nothing the user was told to retry has half happened. Each test starts its own three services, since
/// it breaks them.
/// </summary>
public sealed class OutageTests : IAsyncLifetime
{
    private readonly DistributedComposition _composition = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static byte[] EchoModule => File.ReadAllBytes(Path.Combine(RepositoryLocation.Root, "examples", "echo.wasm"));

    public ValueTask InitializeAsync() => _composition.InitializeAsync();

    public ValueTask DisposeAsync() => _composition.DisposeAsync();

    [Fact]
    public async Task ExecutorDown_RunAndUpload503WithRetryAfter_ListStillServed()
    {
        var (_, user) = await TestUsers.CreateAsync(_composition, "pro");
        using var _ = user;
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

    [Fact]
    public async Task ExecutorDown_DeleteRefusedWith503_ModuleStillThereToRetry()
    {
        var (_, user) = await TestUsers.CreateAsync(_composition, "pro");
        using var _ = user;
        var module = await UploadAsync(user);

        await _composition.Executor.DisposeAsync();
        var deleted = await user.DeleteAsync($"/api/wasm/modules/{module}", Token);
        var afterwards = await user.GetAsync($"/api/wasm/modules/{module}", Token);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, deleted.StatusCode);
        Assert.NotNull(deleted.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, afterwards.StatusCode);
    }

    [Fact]
    public async Task BrokerDown_KeyStillCreated_ItsAuditEventDeliveredOnceTheBrokerIsBack()
    {
        var (_, user) = await TestUsers.CreateAsync(_composition, "pro");
        using var _ = user;
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

        var keyId = Guid.Parse((await Body(created)).GetProperty("id").GetString()!);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        await Eventually.HoldsAsync(() => _composition.AuditEventsAsync(Token).GetAwaiter().GetResult()
            .Any(e => e.Type == AuditEventTypes.KeyCreated && e.SubjectKeyId == keyId));
    }

    [Fact]
    public async Task BrokerDown_AsyncSubmitWithKey503_RetriedOnceBack_RunsOnce()
    {
        var (_, user) = await TestUsers.CreateAsync(_composition, "pro");
        using var _ = user;
        var module = await UploadAsync(user);
        var refused = await WhileAsync(f => f.PublishUnavailable = true, f => f.PublishUnavailable = false, () => SubmitAsync(user, module, "retry-after-outage"));

        var retried = await SubmitAsync(user, module, "retry-after-outage");
        var id = (await Body(retried)).GetProperty("execution_id").GetGuid();
        var done = await PollAsync(user, id);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal("dependency_unavailable", (await Body(refused)).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        Assert.Equal("exited", done.GetProperty("outcome").GetString());
        Assert.Equal("Hello from WebAssembly!\nwhile down", done.GetProperty("output").GetString());
    }

    [Fact]
    public async Task BrokerDown_AsyncSubmitWithoutKey503_NothingLeftQueued()
    {
        var (_, user) = await TestUsers.CreateAsync(_composition, "pro");
        using var _ = user;
        var module = await UploadAsync(user);
        var refused = await WhileAsync(f => f.PublishUnavailable = true, f => f.PublishUnavailable = false, () => SubmitAsync(user, module, idempotencyKey: null));

        var listed = await user.GetFromJsonAsync<JsonElement>("/api/executions", Token);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        // The caller was told nothing was queued: the execution it never learned about does not wait in its backlog.
        var execution = Assert.Single(listed.GetProperty("executions").EnumerateArray());
        Assert.Equal("completed", execution.GetProperty("status").GetString());
        Assert.Equal("rejected", execution.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task JobRecordsAlwaysContended_Submit503WithRetryAfter_Not500()
    {
        var (_, user) = await TestUsers.CreateAsync(_composition, "pro");
        using var _ = user;
        var module = await UploadAsync(user);
        var refused = await WhileAsync(f => f.StateConflicts = true, f => f.StateConflicts = false, () => SubmitAsync(user, module, idempotencyKey: null));

        var accepted = await SubmitAsync(user, module, idempotencyKey: null);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal("dependency_unavailable", (await Body(refused)).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
    }

    // Runs a call with a fault of the api's sidecar switched on, and switches it off again whatever happens.
    private async Task<T> WhileAsync<T>(
        Action<SidecarFaults> on, Action<SidecarFaults> off, Func<Task<T>> call)
    {
        on(_composition.Api.Sidecar.Faults);
        try
        {
            return await call();
        }
        finally
        {
            off(_composition.Api.Sidecar.Faults);
        }
    }

    private static async Task<HttpResponseMessage> SubmitAsync(HttpClient user, Guid module, string? idempotencyKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/wasm/modules/{module}/executions")
        {
            Content = JsonContent.Create(new { input = "while down" }),
        };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await user.SendAsync(request, Token);
    }

    private static async Task<JsonElement> PollAsync(HttpClient user, Guid id)
    {
        JsonElement body = default;
        await Eventually.HoldsAsync(() =>
        {
            body = user.GetFromJsonAsync<JsonElement>($"/api/executions/{id}", Token).GetAwaiter().GetResult();
            return body.GetProperty("status").GetString() == "completed";
        });
        return body;
    }

    private static async Task<JsonElement> Body(HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>(Token);

    private static MultipartFormDataContent Form()
    {
        var module = new ByteArrayContent(EchoModule);
        module.Headers.ContentType = new MediaTypeHeaderValue("application/wasm");
        return new MultipartFormDataContent { { module, "wasm", "echo.wasm" } };
    }

    private static async Task<Guid> UploadAsync(HttpClient user)
    {
        using var form = Form();
        var response = await user.PostAsync("/api/wasm/upload", form, Token);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Token));
        return Guid.Parse((await Body(response)).GetProperty("id").GetString()!);
    }
}
