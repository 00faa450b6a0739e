using System.Net;
using System.Net.Http.Json;
using WasmWizard.Api.Tests.Infrastructure;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Api.Tests.Integration;

/// <summary>
/// Asynchronous submits that race or repeat: the backlog limit holds under a burst, a retry at a full backlog still
/// finds its first execution, and a retried body is the same request whatever the order of its JSON members.
/// </summary>
public sealed class AsyncExecutionRaceTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static byte[] Echo => File.ReadAllBytes(Path.Combine(RepositoryLocation.Root, "examples", "echo.wasm"));

    [Fact]
    public async Task Backlog_ConcurrentSubmits_NeverExceedTheTiersPendingLimit()
    {
        // No workers: nothing leaves the backlog, so at most MaxPendingExecutions submits can ever be accepted.
        using var app = new WasmWizardApp(new Dictionary<string, string?>
        {
            ["ExecutionQueue:Workers"] = "0",
            ["Api:Tiers:basic:MaxPendingExecutions"] = "2",
        });
        using var user = await app.CreateUserAsync("basic");
        var moduleId = await UploadAsync(user.Client);

        var responses = await Task.WhenAll(
            Enumerable.Range(0, 15).Select(i => Submit(user.Client, moduleId, new { input = $"{i}" })));

        Assert.Equal(2, responses.Count(r => r.StatusCode == HttpStatusCode.Accepted));
        Assert.Equal(13, responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task Backlog_Full_ARetriedSubmitStillGetsItsFirstExecution()
    {
        using var app = new WasmWizardApp(new Dictionary<string, string?>
        {
            ["ExecutionQueue:Workers"] = "0",
            ["Api:Tiers:basic:MaxPendingExecutions"] = "1",
        });
        using var user = await app.CreateUserAsync("basic");
        var moduleId = await UploadAsync(user.Client);

        var first = await Submit(user.Client, moduleId, new { input = "once" }, "retry-me");
        var retried = await Submit(user.Client, moduleId, new { input = "once" }, "retry-me");
        var another = await Submit(user.Client, moduleId, new { input = "twice" });

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        Assert.Equal(
            (await ApiCalls.BodyAsync(first)).GetProperty("execution_id").GetString(),
            (await ApiCalls.BodyAsync(retried)).GetProperty("execution_id").GetString());
        Assert.Equal(HttpStatusCode.TooManyRequests, another.StatusCode);
    }

    [Fact]
    public async Task IdempotencyKey_SameEnvInAnotherMemberOrder_IsTheSameRequest()
    {
        // JSON object members have no order (RFC 8259); the hash claims to ignore the JSON's formatting.
        using var app = new WasmWizardApp(new Dictionary<string, string?> { ["ExecutionQueue:Workers"] = "0" });
        using var user = await app.CreateUserAsync("basic");
        var moduleId = await UploadAsync(user.Client);

        var first = await Submit(user.Client, moduleId, Env(("A", "1"), ("B", "2")), "env-order");
        var retried = await Submit(user.Client, moduleId, Env(("B", "2"), ("A", "1")), "env-order");

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.True(retried.StatusCode == HttpStatusCode.Accepted, await ApiCalls.Describe(retried));
    }

    private static Dictionary<string, object> Env(params (string Name, string Value)[] variables) =>
        new() { ["env"] = variables.ToDictionary(v => v.Name, v => v.Value) };

    private static async Task<Guid> UploadAsync(HttpClient client) =>
        Guid.Parse((await ApiCalls.UploadAsync(client, Echo, "echo.wasm")).GetProperty("id").GetString()!);

    private static Task<HttpResponseMessage> Submit(HttpClient client, Guid moduleId, object body, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/wasm/modules/{moduleId}/executions")
        {
            Content = JsonContent.Create(body, options: WasmWizardApp.Json),
        };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        return client.SendAsync(request, Token);
    }
}
