using System.Net;
using System.Net.Http.Json;
using WasmWizard.Api.Tests.Infrastructure;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Api.Tests.Integration;

/// <summary>Review findings on asynchronous executions (review-jobs): each test fails until its finding is fixed.</summary>
public sealed class AsyncExecutionReviewTests
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
        var moduleId = Guid.Parse((await ApiCalls.UploadAsync(user.Client, Echo, "echo.wasm")).GetProperty("id").GetString()!);

        var responses = await Task.WhenAll(Enumerable.Range(0, 15).Select(i => Submit(user.Client, moduleId, new { input = $"{i}" })));

        var accepted = responses.Count(r => r.StatusCode == HttpStatusCode.Accepted);
        Assert.True(accepted <= 2, $"{accepted} submits accepted with a backlog limit of 2");
    }

    [Fact]
    public async Task IdempotencyKey_SameEnvInAnotherMemberOrder_IsTheSameRequest()
    {
        // JSON object members have no order (RFC 8259); the hash claims to ignore the JSON's formatting.
        using var app = new WasmWizardApp(new Dictionary<string, string?> { ["ExecutionQueue:Workers"] = "0" });
        using var user = await app.CreateUserAsync("basic");
        var moduleId = Guid.Parse((await ApiCalls.UploadAsync(user.Client, Echo, "echo.wasm")).GetProperty("id").GetString()!);

        var first = await Submit(user.Client, moduleId, new Dictionary<string, object> { ["env"] = new Dictionary<string, string> { ["A"] = "1", ["B"] = "2" } }, "env-order");
        var retried = await Submit(user.Client, moduleId, new Dictionary<string, object> { ["env"] = new Dictionary<string, string> { ["B"] = "2", ["A"] = "1" } }, "env-order");

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.True(retried.StatusCode == HttpStatusCode.Accepted, await ApiCalls.Describe(retried));
    }

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
