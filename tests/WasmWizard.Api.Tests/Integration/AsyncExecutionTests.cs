using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using WasmWizard.Api.Execution;
using WasmWizard.Api.Tests.Infrastructure;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Ports;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Api.Tests.Integration;

/// <summary>
/// Asynchronous executions against the real embedded host: submit, poll, idempotency, tenant isolation, listing, the
/// durable queue across restarts, and a burst that loses nothing.
/// </summary>
public sealed class AsyncExecutionTests : IClassFixture<AsyncExecutionTests.App>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(20);

    private readonly WasmWizardApp _app;

    public AsyncExecutionTests(App app) => _app = app.Instance;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static byte[] Echo => File.ReadAllBytes(Path.Combine(RepositoryLocation.Root, "examples", "echo.wasm"));

    private static byte[] Trap { get; } = Wat.Compile(Wat.Command("""(func (export "_start") unreachable)"""));

    [Fact]
    public async Task Submit_Accepted202WithLocationAndQueued_PollsToTheSynchronousResult()
    {
        using var user = await _app.CreateUserAsync("basic");
        var moduleId = Id(await ApiCalls.UploadAsync(user.Client, Echo, "echo.wasm"));
        var body = new { input = "queued hello", args = new[] { "x" }, env = new { K = "V" } };

        var submitted = await SubmitAsync(user.Client, moduleId, body);
        var accepted = await ApiCalls.BodyAsync(submitted);
        var executionId = accepted.GetProperty("execution_id").GetString()!;
        var completed = await CompletedAsync(user.Client, executionId);
        var synchronous = await ApiCalls.BodyAsync(await ApiCalls.ExecuteAsync(user.Client, moduleId, body));

        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        Assert.Equal($"/api/executions/{executionId}", submitted.Headers.Location?.OriginalString);
        Assert.Equal("queued", accepted.GetProperty("status").GetString());
        Assert.Equal(moduleId.ToString(), accepted.GetProperty("module_id").GetString());
        Assert.Equal("completed", completed.GetProperty("status").GetString());
        Assert.Equal(executionId, completed.GetProperty("execution_id").GetString());
        Assert.Equal(moduleId.ToString(), completed.GetProperty("module_id").GetString());
        Assert.Contains("queued hello", completed.GetProperty("output").GetString(), StringComparison.Ordinal);
        foreach (var field in new[] { "output", "error", "exit_code", "outcome", "stderr", "output_encoding", "output_truncated" })
        {
            Assert.Equal(synchronous.GetProperty(field).ToString(), completed.GetProperty(field).ToString());
        }

        Assert.True(completed.GetProperty("duration_ms").GetDouble() > 0);
        Assert.True(
            completed.GetProperty("completed_at").GetDateTimeOffset() >= completed.GetProperty("created_at").GetDateTimeOffset());
    }

    [Fact]
    public async Task Get_AnotherTenantsExecution_NotFoundAndNotListed()
    {
        using var alice = await _app.CreateUserAsync("basic");
        using var bob = await _app.CreateUserAsync("basic");
        var moduleId = Id(await ApiCalls.UploadAsync(alice.Client, Echo, "echo.wasm"));
        var executionId = await SubmitIdAsync(alice.Client, moduleId, new { input = "private" });

        var bobsGet = await bob.Client.GetAsync($"/api/executions/{executionId}", Token);
        var bobsList = await ListAsync(bob.Client, "");
        var unknown = await alice.Client.GetAsync($"/api/executions/{Guid.NewGuid()}", Token);

        await ApiCalls.AssertProblemAsync(bobsGet, HttpStatusCode.NotFound, "not_found");
        await ApiCalls.AssertProblemAsync(unknown, HttpStatusCode.NotFound, "not_found");
        Assert.Empty(bobsList.GetProperty("executions").EnumerateArray());
        Assert.Equal(HttpStatusCode.OK, (await alice.Client.GetAsync($"/api/executions/{executionId}", Token)).StatusCode);
    }

    [Fact]
    public async Task IdempotencyKey_RetriedSubmit_SameExecutionRunOnce()
    {
        using var user = await _app.CreateUserAsync("basic");
        var moduleId = Id(await ApiCalls.UploadAsync(user.Client, Echo, "echo.wasm"));
        var body = new { input = "once" };

        var first = await SubmitAsync(user.Client, moduleId, body, "retry-key-1");
        var executionId = (await ApiCalls.BodyAsync(first)).GetProperty("execution_id").GetString()!;
        var second = await ApiCalls.BodyAsync(await SubmitAsync(user.Client, moduleId, body, "retry-key-1"));
        await CompletedAsync(user.Client, executionId);
        var afterCompletion = await SubmitAsync(user.Client, moduleId, body, "retry-key-1");
        var replayed = await ApiCalls.BodyAsync(afterCompletion);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(executionId, second.GetProperty("execution_id").GetString());
        Assert.Equal(HttpStatusCode.OK, afterCompletion.StatusCode);
        Assert.Equal($"/api/executions/{executionId}", afterCompletion.Headers.Location?.OriginalString);
        Assert.Equal(executionId, replayed.GetProperty("execution_id").GetString());
        Assert.Equal("completed", replayed.GetProperty("status").GetString());
        var list = await ListAsync(user.Client, "");
        Assert.Single(list.GetProperty("executions").EnumerateArray());
        var events = await _app.Services.GetRequiredService<IAuditEventStore>().ListAsync(5000, Token);
        var run = Assert.Single(
            events, e => e.Type == AuditEventTypes.ExecutionCompleted && e.Subject == "execution:" + executionId);
        Assert.Equal(user.Id, run.TenantId);
        Assert.Equal("key:" + user.ApiKeyId, run.Actor);
    }

    [Fact]
    public async Task IdempotencyKey_ReusedForADifferentBodyOrModule_Conflict409()
    {
        using var user = await _app.CreateUserAsync("basic");
        var moduleId = Id(await ApiCalls.UploadAsync(user.Client, Echo, "echo.wasm"));
        var otherModuleId = Id(await ApiCalls.UploadAsync(user.Client, TestModules.Hello, "hello.wasm"));
        await SubmitIdAsync(user.Client, moduleId, new { input = "a" }, "conflict-key");

        var otherBody = await SubmitAsync(user.Client, moduleId, new { input = "b" }, "conflict-key");
        var otherModule = await SubmitAsync(user.Client, otherModuleId, new { input = "a" }, "conflict-key");
        var badKey = await SubmitAsync(user.Client, moduleId, new { input = "a" }, new string('k', 201));

        await ApiCalls.AssertProblemAsync(otherBody, HttpStatusCode.Conflict, "idempotency_conflict");
        await ApiCalls.AssertProblemAsync(otherModule, HttpStatusCode.Conflict, "idempotency_conflict");
        await ApiCalls.AssertProblemAsync(badKey, HttpStatusCode.BadRequest, "invalid_header");
        Assert.Single((await ListAsync(user.Client, "")).GetProperty("executions").EnumerateArray());
    }

    [Fact]
    public async Task Submit_RefusedAsTheSynchronousRunIs_NothingQueued()
    {
        using var user = await _app.CreateUserAsync("free");
        using var other = await _app.CreateUserAsync("free");
        var moduleId = Id(await ApiCalls.UploadAsync(user.Client, Echo, "echo.wasm"));
        var othersModuleId = Id(await ApiCalls.UploadAsync(other.Client, Echo, "echo.wasm"));

        var overTier = await SubmitAsync(user.Client, moduleId, new { timeout_ms = 60_000 });
        var unknown = await SubmitAsync(user.Client, Guid.NewGuid(), new { });
        var othersModule = await SubmitAsync(user.Client, othersModuleId, new { });
        var badBody = await SubmitAsync(user.Client, moduleId, new { args = "not an array" });

        await ApiCalls.AssertProblemAsync(overTier, HttpStatusCode.BadRequest, "limit_exceeds_tier");
        await ApiCalls.AssertProblemAsync(unknown, HttpStatusCode.NotFound, "not_found");
        await ApiCalls.AssertProblemAsync(othersModule, HttpStatusCode.NotFound, "not_found");
        Assert.Equal(HttpStatusCode.BadRequest, badBody.StatusCode);
        Assert.Empty((await ListAsync(user.Client, "")).GetProperty("executions").EnumerateArray());
    }

    [Fact]
    public async Task TenantAtItsCap_JobsWaitInTheQueue_RunOneAtATimeAndAllComplete()
    {
        using var user = await _app.CreateUserAsync("free");
        var nap = TestModules.Sleep(TimeSpan.FromMilliseconds(150));
        var moduleId = Id(await ApiCalls.UploadAsync(user.Client, nap, "nap.wasm"));

        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await SubmitIdAsync(user.Client, moduleId, new { }));
        }

        var runs = new List<JsonElement>();
        foreach (var id in ids)
        {
            runs.Add(await CompletedAsync(user.Client, id));
        }

        Assert.All(runs, r => Assert.Equal("exited", r.GetProperty("outcome").GetString()));
        var spans = runs
            .Select(r => (
                Start: r.GetProperty("started_at").GetDateTimeOffset(),
                End: r.GetProperty("completed_at").GetDateTimeOffset()))
            .OrderBy(s => s.Start)
            .ToList();
        for (var i = 1; i < spans.Count; i++)
        {
            // The free tier runs one module at a time; queued runs wait their turn rather than overlap or fail.
            Assert.True(spans[i].Start >= spans[i - 1].End, $"run {i} started before run {i - 1} ended");
        }
    }

    [Fact]
    public async Task List_FilteredByModuleAndOutcome_PagedNewestFirstWithACursor()
    {
        using var user = await _app.CreateUserAsync("pro");
        var echoId = Id(await ApiCalls.UploadAsync(user.Client, Echo, "echo.wasm"));
        var trapId = Id(await ApiCalls.UploadAsync(user.Client, Trap, "trap.wasm"));
        var submitted = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            submitted.Add(await SubmitIdAsync(user.Client, echoId, new { input = $"run {i}" }));
        }

        submitted.Add(await SubmitIdAsync(user.Client, trapId, new { }));
        submitted.Add(await SubmitIdAsync(user.Client, trapId, new { }));
        foreach (var id in submitted)
        {
            await CompletedAsync(user.Client, id);
        }

        var pages = await AllPagesAsync(user.Client, "?limit=2");
        var trapped = (await AllPagesAsync(user.Client, "?limit=100&outcome=trapped")).SelectMany(p => p).ToList();
        var ofTrap = (await AllPagesAsync(user.Client, $"?module_id={trapId}")).SelectMany(p => p).ToList();
        var badCursor = await user.Client.GetAsync("/api/executions?cursor=bm90LWEtY3Vyc29y", Token);
        var badOutcome = await user.Client.GetAsync("/api/executions?outcome=trappd", Token);

        Assert.Equal([2, 2, 2, 1], pages.Select(p => p.Count));
        var listed = pages.SelectMany(p => p).Select(e => e.GetProperty("execution_id").GetString()!).ToList();
        // Newest first: ids are UUIDv7, so descending id order is submission order, newest first (ties within one
        // millisecond in id order, which is all a cursor needs to be stable).
        Assert.Equal(submitted.OrderDescending(StringComparer.Ordinal), listed);
        Assert.Equal(2, trapped.Count);
        Assert.All(trapped, e => Assert.Equal(trapId.ToString(), e.GetProperty("module_id").GetString()));
        Assert.Equal(2, ofTrap.Count);
        Assert.All(ofTrap, e => Assert.Equal("trapped", e.GetProperty("outcome").GetString()));
        Assert.DoesNotContain(pages.SelectMany(p => p), e => e.TryGetProperty("output", out _));
        await ApiCalls.AssertProblemAsync(badCursor, HttpStatusCode.BadRequest, "invalid_cursor");
        await ApiCalls.AssertProblemAsync(badOutcome, HttpStatusCode.BadRequest, "invalid_query");
    }

    [Fact]
    public async Task Queue_SurvivesARestart_AndARunCutShortIsInterruptedNotRepeated()
    {
        string dataDirectory;
        string userKey;
        Guid userId;
        string waiting;
        string cutShort;
        using (var first = new WasmWizardApp(new Dictionary<string, string?> { ["ExecutionQueue:Workers"] = "0" }))
        {
            dataDirectory = first.DataDirectory;
            using var user = await first.CreateUserAsync("basic");
            userKey = user.ApiKey;
            userId = user.Id;
            var moduleId = Id(await ApiCalls.UploadAsync(user.Client, Echo, "echo.wasm"));
            waiting = await SubmitIdAsync(user.Client, moduleId, new { input = "after the restart" });
            cutShort = await SubmitIdAsync(user.Client, moduleId, new { input = "never twice" });

            // What a worker does just before handing a job to the executor; the process then "dies" with it running.
            var store = first.Services.GetRequiredService<IExecutionJobStore>();
            Assert.True(await store.TryMarkRunningAsync(Guid.Parse(cutShort), DateTimeOffset.UtcNow, Token));
            var stillQueued = await ApiCalls.BodyAsync(await user.Client.GetAsync($"/api/executions/{waiting}", Token));
            Assert.Equal("queued", stillQueued.GetProperty("status").GetString());
        }

        using var second = new WasmWizardApp(dataDirectory: dataDirectory);
        using var client = second.ClientWithKey(userKey);

        var ran = await CompletedAsync(client, waiting);
        var interrupted = await CompletedAsync(client, cutShort);

        Assert.Equal("exited", ran.GetProperty("outcome").GetString());
        Assert.Contains("after the restart", ran.GetProperty("output").GetString(), StringComparison.Ordinal);
        Assert.Equal("interrupted", interrupted.GetProperty("outcome").GetString());
        Assert.Equal(string.Empty, interrupted.GetProperty("output").GetString());
        Assert.False(string.IsNullOrEmpty(interrupted.GetProperty("error").GetString()));
        var events = await second.Services.GetRequiredService<IAuditEventStore>().ListAsync(1000, Token);
        Assert.Single(events, e => e.Type == AuditEventTypes.ExecutionCompleted && e.Subject == "execution:" + waiting);
        Assert.DoesNotContain(events, e => e.Subject == "execution:" + cutShort);
        Assert.Contains(events, e => e.TenantId == userId);
    }

    [Fact]
    public async Task TierDowngradedWhileQueued_RunHeldToTheNewTiersLimits()
    {
        string dataDirectory;
        string userKey;
        string queued;
        using (var first = new WasmWizardApp(new Dictionary<string, string?> { ["ExecutionQueue:Workers"] = "0" }))
        {
            dataDirectory = first.DataDirectory;
            using var user = await first.CreateUserAsync("pro");
            userKey = user.ApiKey;
            var moduleId = Id(await ApiCalls.UploadAsync(user.Client, Echo, "echo.wasm"));
            queued = await SubmitIdAsync(user.Client, moduleId, new { input = "x", timeout_ms = 20_000, memory_limit_mb = 512 });
            using var admin = first.AdminClient();
            var downgraded = await admin.PutAsJsonAsync($"/api/admin/users/{user.Id}/tier", new { tier = "free" }, Token);
            Assert.Equal(HttpStatusCode.OK, downgraded.StatusCode);
        }

        using var second = new WasmWizardApp(dataDirectory: dataDirectory);
        using var client = second.ClientWithKey(userKey);
        await CompletedAsync(client, queued);

        // The free tier's caps (5 s, 128 MiB), not what the pro tier allowed when the run was queued.
        var events = await second.Services.GetRequiredService<IAuditEventStore>().ListAsync(1000, Token);
        var ran = Assert.Single(
            events, e => e.Type == AuditEventTypes.ExecutionCompleted && e.Subject == "execution:" + queued);
        Assert.Equal("5000", ran.Details["timeout_ms"]);
        Assert.Equal("134217728", ran.Details["memory_limit_bytes"]);
    }

    [Fact]
    public async Task Burst_1000QueuedExecutions_AllCompleteNoneLost()
    {
        const int count = 1000;
        using var app = new WasmWizardApp();
        using var user = await app.CreateUserAsync("enterprise");
        var moduleId = Id(await ApiCalls.UploadAsync(user.Client, TestModules.Hello, "hello.wasm"));
        var clock = Stopwatch.StartNew();

        var ids = new string[count];
        await Parallel.ForAsync(
            0, count, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Token },
            async (i, _) => ids[i] = await SubmitIdAsync(user.Client, moduleId, new { }));
        var submittedIn = clock.Elapsed;
        List<JsonElement> listed = [];
        await Eventually.HoldsAsync(
            async () =>
            {
                listed = (await AllPagesAsync(user.Client, "?limit=100")).SelectMany(p => p).ToList();
                return listed.All(e => e.GetProperty("status").GetString() == "completed");
            },
            TimeSpan.FromMinutes(5),
            TimeSpan.FromMilliseconds(250));
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{count} queued executions: submitted in {submittedIn.TotalSeconds:0.0} s, "
            + $"all completed after {clock.Elapsed.TotalSeconds:0.0} s");

        Assert.Equal(count, ids.Distinct().Count());
        var listedIds = listed.Select(e => e.GetProperty("execution_id").GetString()!);
        Assert.Equal(ids.Order(StringComparer.Ordinal), listedIds.Order(StringComparer.Ordinal));
        Assert.All(listed, e =>
        {
            Assert.Equal("exited", e.GetProperty("outcome").GetString());
            Assert.Equal(0, e.GetProperty("exit_code").GetInt32());
        });
        var sample = await CompletedAsync(user.Client, ids[count / 2]);
        Assert.Equal("hello\n", sample.GetProperty("output").GetString());
    }

    [Fact]
    public async Task Backlog_PastTheTiersPendingLimit_429WithRetryAfter_OtherTenantsStillQueue()
    {
        // No workers: every submit stays queued, so the backlog only grows.
        using var app = new WasmWizardApp(new Dictionary<string, string?>
        {
            ["ExecutionQueue:Workers"] = "0",
            ["Api:Tiers:basic:MaxPendingExecutions"] = "2",
        });
        using var user = await app.CreateUserAsync("basic");
        using var other = await app.CreateUserAsync("basic");
        var moduleId = Id(await ApiCalls.UploadAsync(user.Client, Echo, "echo.wasm"));
        var othersModule = Id(await ApiCalls.UploadAsync(other.Client, Echo, "echo.wasm"));

        var first = await SubmitAsync(user.Client, moduleId, new { input = "1" });
        var second = await SubmitAsync(user.Client, moduleId, new { input = "2" });
        var third = await SubmitAsync(user.Client, moduleId, new { input = "3" });
        var others = await SubmitAsync(other.Client, othersModule, new { input = "x" });

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        await ApiCalls.AssertProblemAsync(third, HttpStatusCode.TooManyRequests, "concurrency_limited");
        Assert.NotNull(third.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.Accepted, others.StatusCode);
        Assert.Equal(2, (await ListAsync(user.Client, "")).GetProperty("executions").GetArrayLength());
    }

    [Fact]
    public async Task Retention_ResultsOlderThanConfigured_RemovedWithTheirKeys()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        using var app = new WasmWizardApp(
            new Dictionary<string, string?> { ["Api:ExecutionResultRetentionHours"] = "2" },
            services: s => s.AddSingleton<TimeProvider>(clock));
        using var user = await app.CreateUserAsync("basic");
        var moduleId = Id(await ApiCalls.UploadAsync(user.Client, Echo, "echo.wasm"));
        var executionId = await SubmitIdAsync(user.Client, moduleId, new { input = "short-lived" }, "kept-key");
        await CompletedAsync(user.Client, executionId);
        var retention = app.Services.GetServices<IHostedService>().OfType<ExecutionJobRetention>().Single();

        clock.Advance(TimeSpan.FromMinutes(119));
        var removedEarly = await retention.RemoveExpiredAsync(Token);
        var keptYet = await user.Client.GetAsync($"/api/executions/{executionId}", Token);
        clock.Advance(TimeSpan.FromMinutes(2));
        var removed = await retention.RemoveExpiredAsync(Token);
        var gone = await user.Client.GetAsync($"/api/executions/{executionId}", Token);
        var resubmitted = await SubmitIdAsync(user.Client, moduleId, new { input = "short-lived" }, "kept-key");

        Assert.Equal(0, removedEarly);
        Assert.Equal(HttpStatusCode.OK, keptYet.StatusCode);
        Assert.Equal(1, removed);
        await ApiCalls.AssertProblemAsync(gone, HttpStatusCode.NotFound, "not_found");
        Assert.NotEqual(executionId, resubmitted);
    }

    private static Task<HttpResponseMessage> SubmitAsync(HttpClient client, Guid moduleId, object body, string? key = null)
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

    private static async Task<string> SubmitIdAsync(HttpClient client, Guid moduleId, object body, string? key = null)
    {
        var response = await SubmitAsync(client, moduleId, body, key);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await ApiCalls.Describe(response));
        return (await ApiCalls.BodyAsync(response)).GetProperty("execution_id").GetString()!;
    }

    private static async Task<JsonElement> CompletedAsync(HttpClient client, string executionId)
    {
        JsonElement body = default;
        await Eventually.HoldsAsync(
            async () =>
            {
                var response = await client.GetAsync($"/api/executions/{executionId}", Token);
                Assert.True(response.StatusCode == HttpStatusCode.OK, await ApiCalls.Describe(response));
                body = await ApiCalls.BodyAsync(response);
                return body.GetProperty("status").GetString() == "completed";
            },
            Patience,
            PollEvery);
        return body;
    }

    private static async Task<JsonElement> ListAsync(HttpClient client, string query)
    {
        var response = await client.GetAsync("/api/executions" + query, Token);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await ApiCalls.Describe(response));
        return await ApiCalls.BodyAsync(response);
    }

    private static async Task<List<List<JsonElement>>> AllPagesAsync(HttpClient client, string query)
    {
        var pages = new List<List<JsonElement>>();
        string? cursor = null;
        do
        {
            var separator = query.Length == 0 ? "?" : "&";
            var page = cursor is null ? "" : separator + "cursor=" + Uri.EscapeDataString(cursor);
            var body = await ListAsync(client, query + page);
            pages.Add(body.GetProperty("executions").EnumerateArray().ToList());
            var next = body.GetProperty("next_cursor");
            cursor = next.ValueKind == JsonValueKind.Null ? null : next.GetString();
        }
        while (cursor is not null);

        return pages;
    }

    private static Guid Id(JsonElement module) => Guid.Parse(module.GetProperty("id").GetString()!);

    /// <summary>One host for the tests that need nothing of their own.</summary>
    public sealed class App : IDisposable
    {
        public WasmWizardApp Instance { get; } = new();

        public void Dispose() => Instance.Dispose();
    }
}
