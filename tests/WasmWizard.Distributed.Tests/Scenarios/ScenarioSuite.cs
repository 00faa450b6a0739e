using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using WasmWizard.Distributed.Tests.Infrastructure;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Distributed.Tests.Scenarios;

/// <summary>
/// What a user does with Wasm Wizard, asserted the same way whichever composition serves it: the embedded host, or
/// the three Dapr services with their sidecars.
/// </summary>
public abstract class ScenarioSuite(IComposition composition)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static byte[] EchoModule => File.ReadAllBytes(Path.Combine(RepositoryLocation.Root, "examples", "echo.wasm"));

    /// <summary>Prints "{argv NUL-separated}|{environ NUL-separated}" and exits 0.</summary>
    private static byte[] ArgsAndEnvModule { get; } = Wat.Compile(Wat.Command("""
        (func (export "_start")
          (drop (call $args_sizes (i32.const 16) (i32.const 20)))
          (drop (call $args_get (i32.const 1000) (i32.const 2000)))
          (call $print (i32.const 2000) (i32.load (i32.const 20)))
          (i32.store8 (i32.const 24) (i32.const 124))
          (call $print (i32.const 24) (i32.const 1))
          (drop (call $env_sizes (i32.const 16) (i32.const 20)))
          (drop (call $env_get (i32.const 1000) (i32.const 3000)))
          (call $print (i32.const 3000) (i32.load (i32.const 20))))
        """));

    /// <summary>Traps at once (<c>unreachable</c>): an outcome other than <c>exited</c>, for filters.</summary>
    private static byte[] TrapModule { get; } = Wat.Compile(Wat.Command("""(func (export "_start") unreachable)"""));

    /// <summary>Sleeps for an hour, so its run lasts exactly as long as its deadline, without using the CPU.</summary>
    private static byte[] SleeperModule { get; } =
        Wat.Compile(Wat.Command("""(func (export "_start") (call $sleep (i64.const 3600000000000)))"""));

    // A sleeper no other test shares (a unique data segment gives it its own hash), so deleting it removes its bytes
    // and whatever of it is still queued is refused at once instead of sleeping out its deadline.
    private static byte[] UniqueSleeperModule() => Wat.Compile(Wat.Command(
        $$"""(data (i32.const 4096) "{{Guid.NewGuid():N}}") (func (export "_start") (call $sleep (i64.const 3600000000000)))"""));

    [Fact]
    public async Task UploadListAndRunById_WithStdinArgsAndEnv()
    {
        SkipIfUnavailable();
        using var user = await CreateUserAsync("pro");
        var echo = await UploadAsync(user, EchoModule, "echo.wasm");
        var argsEnv = await UploadAsync(user, ArgsAndEnvModule, "show.wasm");

        var list = await BodyAsync(await user.GetAsync("/api/wasm/modules", Token));
        var run = await user.PostAsJsonAsync($"/api/wasm/modules/{echo}/execute", new { input = "Wizard!\n" }, Token);
        var shown = await user.PostAsJsonAsync(
            $"/api/wasm/modules/{argsEnv}/execute",
            new { args = new[] { "--loud" }, env = new Dictionary<string, string> { ["GREETING"] = "hi" } },
            Token);

        Assert.Equal(2, list.GetProperty("total").GetInt64());
        var result = await BodyAsync(run);
        Assert.Equal(HttpStatusCode.OK, run.StatusCode);
        Assert.Equal("exited", result.GetProperty("outcome").GetString());
        Assert.Equal(0, result.GetProperty("exit_code").GetInt32());
        Assert.Equal("Hello from WebAssembly!\nWizard!\n", result.GetProperty("output").GetString());
        Assert.Equal("show.wasm\0--loud\0|GREETING=hi\0", (await BodyAsync(shown)).GetProperty("output").GetString());
    }

    [Fact]
    public async Task AdHocRun_InOneCall()
    {
        SkipIfUnavailable();
        using var user = await CreateUserAsync("pro");
        using var form = new MultipartFormDataContent
        {
            { WasmContent(EchoModule), "wasm", "echo.wasm" },
            { new StringContent("ad hoc\n"), "input" },
        };

        var run = await user.PostAsync("/api/wasm/execute", form, Token);

        Assert.Equal(HttpStatusCode.OK, run.StatusCode);
        Assert.Equal("Hello from WebAssembly!\nad hoc\n", (await BodyAsync(run)).GetProperty("output").GetString());
    }

    [Fact]
    public async Task NotWebAssembly_Refused_AndAnotherTenantsModule_NotFound()
    {
        SkipIfUnavailable();
        using var owner = await CreateUserAsync("pro");
        using var stranger = await CreateUserAsync("pro");
        var module = await UploadAsync(owner, EchoModule, "mine.wasm");

        var refused = await owner.PostAsync("/api/wasm/upload", Form("not a module"u8.ToArray(), "x.wasm"), Token);
        var hidden = await stranger.PostAsJsonAsync($"/api/wasm/modules/{module}/execute", new { }, Token);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("not_wasm", (await BodyAsync(refused)).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
    }

    [Fact]
    public async Task KeyLifecycle_CreateUseListRevoke_AndAudited()
    {
        SkipIfUnavailable();
        using var user = await CreateUserAsync("pro");
        var created = await user.PostAsJsonAsync("/api/auth/keys", new { name = "laptop" }, Token);
        var key = await BodyAsync(created);
        var secret = key.GetProperty("api_key").GetString()!;
        var keyId = Guid.Parse(key.GetProperty("id").GetString()!);
        using var laptop = Client(secret);

        var used = await laptop.GetAsync("/api/wasm/modules", Token);
        var listed = await user.GetStringAsync("/api/auth/keys", Token);
        var revoked = await user.DeleteAsync($"/api/auth/keys/{keyId}", Token);
        var afterRevoke = await laptop.GetAsync("/api/wasm/modules", Token);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, used.StatusCode);
        Assert.Contains(keyId.ToString(), listed, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, listed, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, afterRevoke.StatusCode);
        var audited = await AuditEventAsync(e => e.Type == AuditEventTypes.KeyRevoked && e.SubjectKeyId == keyId);
        var createdEvent = await AuditEventAsync(e => e.Type == AuditEventTypes.KeyCreated && e.SubjectKeyId == keyId);
        Assert.Equal(key.GetProperty("prefix").GetString(), createdEvent.Details["prefix"]);
        Assert.NotNull(audited.ActorUserId);
    }

    [Fact]
    public async Task AuditTrail_ReadThroughTheApi_OwnEventsOnly_ChainIntact()
    {
        SkipIfUnavailable();
        using var user = await CreateUserAsync("pro");
        using var other = await CreateUserAsync("pro");
        var created = await BodyAsync(await user.PostAsJsonAsync("/api/auth/keys", new { name = "ci" }, Token));
        var subject = "key:" + created.GetProperty("id").GetString();

        // Delivery through a broker takes a moment: wait until the trail shows the key, then read it as a user would.
        JsonElement page = default;
        await Eventually.HoldsAsync(() =>
        {
            page = BodyAsync(user.GetAsync("/api/audit/events?subject=" + subject, Token).GetAwaiter().GetResult())
                .GetAwaiter().GetResult();
            return page.GetProperty("events").GetArrayLength() == 1;
        });
        var asOther = await BodyAsync(await other.GetAsync("/api/audit/events?subject=" + subject, Token));
        var verified = await BodyAsync(await user.GetAsync("/api/audit/verify", Token));
        var forgedCursor = await user.GetAsync("/api/audit/events?cursor=c1.AAAAAAAAAAE", Token);

        var shown = page.GetProperty("events")[0];
        Assert.Equal(HttpStatusCode.BadRequest, forgedCursor.StatusCode);
        Assert.Equal("invalid_cursor", (await BodyAsync(forgedCursor)).GetProperty("code").GetString());
        Assert.Equal("key.created", shown.GetProperty("type").GetString());
        Assert.Equal(user.Id.ToString(), shown.GetProperty("tenant_id").GetString());
        Assert.Empty(asOther.GetProperty("events").EnumerateArray());
        Assert.True(verified.GetProperty("intact").GetBoolean());
        Assert.True(verified.GetProperty("events_checked").GetInt64() >= 2);
    }

    [Fact]
    public async Task FreeTier_PastItsBurst_429WithRetryAfterAndHeaders()
    {
        SkipIfUnavailable();
        using var user = await CreateUserAsync("free");

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 6; i++)
        {
            answers.Add(await user.GetAsync("/api/wasm/modules", Token));
        }

        Assert.All(answers.Take(5), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(HttpStatusCode.TooManyRequests, answers[5].StatusCode);
        Assert.True(answers[5].Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal("10", answers[0].Headers.GetValues("X-RateLimit-Limit").Single());
        Assert.Equal("4", answers[0].Headers.GetValues("X-RateLimit-Remaining").Single());
        Assert.Equal("rate_limited", (await BodyAsync(answers[5])).GetProperty("code").GetString());
        await AuditEventAsync(e => e.Type == AuditEventTypes.RateLimitExceeded && e.ActorUserId == user.Id);
    }

    [Fact]
    public async Task ModuleNearTheSizeLimit_UploadedAndRun()
    {
        SkipIfUnavailable();
        using var user = await CreateUserAsync("pro");
        // 15 MiB: over every 4 MB default on the way (sidecar bodies, gRPC messages), under the 16 MiB limit.
        var big = WithCustomSection(EchoModule, 15 * 1024 * 1024);

        var module = await UploadAsync(user, big, "big.wasm");
        var run = await user.PostAsJsonAsync($"/api/wasm/modules/{module}/execute", new { input = "big\n" }, Token);

        Assert.Equal(HttpStatusCode.OK, run.StatusCode);
        Assert.Equal("Hello from WebAssembly!\nbig\n", (await BodyAsync(run)).GetProperty("output").GetString());
    }

    [Fact]
    public async Task AsyncExecution_SubmitAndPollTheLocation_SameResultAsASynchronousRun()
    {
        SkipIfUnavailable();
        using var user = await CreateUserAsync("pro");
        var echo = await UploadAsync(user, EchoModule, "echo.wasm");
        var argsEnv = await UploadAsync(user, ArgsAndEnvModule, "show.wasm");
        object[] bodies =
        [
            new { input = "queued\n" },
            new
            {
                args = new[] { "--loud" },
                env = new Dictionary<string, string> { ["GREETING"] = "hi" },
                timeout_ms = 2000,
            },
        ];

        foreach (var (module, body) in new[] { echo, argsEnv }.Zip(bodies))
        {
            var submitted = await SubmitAsync(user, module, body);
            var accepted = await BodyAsync(submitted);
            Assert.True(submitted.StatusCode == HttpStatusCode.Accepted, accepted.ToString());
            var id = Guid.Parse(accepted.GetProperty("execution_id").GetString()!);
            Assert.Equal("queued", accepted.GetProperty("status").GetString());
            Assert.Equal($"/api/executions/{id}", submitted.Headers.Location?.OriginalString);

            var completed = await CompletedAsync(user, submitted.Headers.Location!);
            var synchronous = await BodyAsync(
                await user.PostAsJsonAsync($"/api/wasm/modules/{module}/execute", body, Token));

            Assert.Equal(id.ToString(), completed.GetProperty("execution_id").GetString());
            Assert.Equal(module.ToString(), completed.GetProperty("module_id").GetString());
            foreach (var field in new[] { "output", "outcome", "exit_code", "error", "stderr", "output_encoding" })
            {
                Assert.Equal(synchronous.GetProperty(field).ToString(), completed.GetProperty(field).ToString());
            }
        }
    }

    [Fact]
    public async Task AsyncExecution_IdempotencyKey_RetriesAndConcurrentSubmitsGiveOneExecution_RunOnce()
    {
        SkipIfUnavailable();
        using var user = await CreateUserAsync("pro");
        var echo = await UploadAsync(user, EchoModule, "echo.wasm");
        var key = "retry-" + Guid.NewGuid();

        var first = await ExecutionIdAsync(await SubmitAsync(user, echo, new { input = "once\n" }, key));
        var retried = await ExecutionIdAsync(await SubmitAsync(user, echo, new { input = "once\n" }, key));
        var different = await SubmitAsync(user, echo, new { input = "other\n" }, key);

        var concurrentKey = "burst-" + Guid.NewGuid();
        var burst = await Task.WhenAll(Enumerable.Range(0, 5)
            .Select(_ => SubmitAsync(user, echo, new { input = "burst\n" }, concurrentKey)));
        var burstIds = new List<Guid>();
        foreach (var answer in burst)
        {
            burstIds.Add(await ExecutionIdAsync(answer));
        }

        Assert.Equal(first, retried);
        Assert.Equal(HttpStatusCode.Conflict, different.StatusCode);
        Assert.Equal("idempotency_conflict", (await BodyAsync(different)).GetProperty("code").GetString());
        var burstId = Assert.Single(burstIds.Distinct());
        Assert.NotEqual(first, burstId);
        var burstResult = await CompletedAsync(user, burstId);
        Assert.Equal("Hello from WebAssembly!\nburst\n", burstResult.GetProperty("output").GetString());
        await CompletedAsync(user, first);

        // Two executions in all, each listed once, each run once: one execution.completed per execution.
        var listed = (await ListAsync(user, "")).Executions;
        Assert.Equal(new[] { first, burstId }.Order(), listed.Select(e => e.Id).Order());
        foreach (var id in new[] { first, burstId })
        {
            await AuditEventAsync(e => e.Type == AuditEventTypes.ExecutionCompleted && e.Subject == "execution:" + id);
            var completions = (await composition.AuditEventsAsync(Token))
                .Count(e => e.Type == AuditEventTypes.ExecutionCompleted && e.Subject == "execution:" + id);
            Assert.Equal(1, completions);
        }
    }

    [Fact]
    public async Task AsyncExecution_ResultAnnouncedOnExecutionResults()
    {
        SkipIfUnavailable();
        using var user = await CreateUserAsync("pro");
        var echo = await UploadAsync(user, EchoModule, "echo.wasm");

        var id = await ExecutionIdAsync(await SubmitAsync(user, echo, new { input = "announced\n" }));
        var completed = await CompletedAsync(user, id);

        // Stored first, announced after: the event follows the completed poll by a moment.
        IReadOnlyList<ExecutionResultEvent> announced = [];
        await Eventually.HoldsAsync(
            async () =>
            {
                announced = await ResultsOfAsync(id);
                return announced.Count > 0;
            },
            TimeSpan.FromSeconds(10),
            TimeSpan.FromMilliseconds(10));

        // At least once: a redelivered request is answered again, with the same result.
        Assert.All(announced, result =>
        {
            Assert.Equal(id, result.RequestId);
            Assert.Equal(user.Id, result.TenantId);
            Assert.Equal(echo, result.ModuleId);
            Assert.Equal(ExecutionResultEvent.Completed, result.Status);
            Assert.Null(result.Refusal);
            Assert.Equal("Hello from WebAssembly!\nannounced\n", result.Output);
            Assert.Equal(completed.GetProperty("output").GetString(), result.Output);
            Assert.Equal(completed.GetProperty("outcome").GetString(), result.Outcome);
            Assert.Equal(completed.GetProperty("exit_code").GetInt32(), result.ExitCode);
        });
    }

    [Fact]
    public async Task AsyncExecution_ListingFiltersByModuleAndOutcome_AndPagesWithACursor()
    {
        SkipIfUnavailable();
        using var user = await CreateUserAsync("pro");
        var echo = await UploadAsync(user, EchoModule, "echo.wasm");
        var trap = await UploadAsync(user, TrapModule, "trap.wasm");

        // One after the other, each to its end: the listing is then complete and in submission order.
        var echoRuns = new List<Guid>();
        var trapRuns = new List<Guid>();
        foreach (var module in new[] { echo, trap, echo, trap, echo })
        {
            var id = await ExecutionIdAsync(await SubmitAsync(user, module, new { input = "x" }));
            await CompletedAsync(user, id);
            (module == echo ? echoRuns : trapRuns).Add(id);
        }

        var firstPage = await ListAsync(user, $"module_id={echo}&limit=2");
        var secondPage = await ListAsync(
            user, $"module_id={echo}&limit=2&cursor={Uri.EscapeDataString(firstPage.Next!)}");
        var trapped = await ListAsync(user, "outcome=trapped");
        var exited = await ListAsync(user, "outcome=exited&limit=10");
        var none = await ListAsync(user, $"module_id={echo}&outcome=trapped");
        var all = await ListAsync(user, "");

        // Newest first throughout.
        echoRuns.Reverse();
        trapRuns.Reverse();
        Assert.Equal(echoRuns, firstPage.Executions.Concat(secondPage.Executions).Select(e => e.Id));
        Assert.Equal(2, firstPage.Executions.Count);
        Assert.Null(secondPage.Next);
        Assert.All(firstPage.Executions.Concat(secondPage.Executions), e => Assert.Equal(echo, e.ModuleId));
        Assert.Equal(trapRuns, trapped.Executions.Select(e => e.Id));
        Assert.All(trapped.Executions, e => Assert.Equal("trapped", e.Outcome));
        Assert.Equal(echoRuns, exited.Executions.Select(e => e.Id));
        Assert.Empty(none.Executions);
        Assert.Equal(5, all.Executions.Count);
        Assert.All(all.Executions, e => Assert.Equal("completed", e.Status));
    }

    /// <remarks>
    /// In the Dapr services the delivery of the waiting request holds on to it until a slot is free (up to 30 s), rather
    /// than handing it back to the broker at once: a sidecar retries a delivery only a few times before it
    /// dead-letters it.
    /// </remarks>
    [Fact]
    public async Task AsyncExecution_QueuedBehindTheTenantsRunningOnes_WaitsAndRuns()
    {
        SkipIfUnavailable();
        using var user = await CreateUserAsync("pro");
        var sleeper = await UploadAsync(user, SleeperModule, "sleeper.wasm");
        var echo = await UploadAsync(user, EchoModule, "echo.wasm");

        await HoldTheTenantsSlotsAsync(user, sleeper);
        var waiting = await ExecutionIdAsync(await SubmitAsync(user, echo, new { input = "waited\n" }));

        var result = await CompletedAsync(user, waiting);
        Assert.Equal("Hello from WebAssembly!\nwaited\n", result.GetProperty("output").GetString());
    }

    [Fact]
    public async Task AsyncExecution_ModuleDeletedWhileQueued_Rejected_EvenWhenAnotherModuleHasItsBytes()
    {
        SkipIfUnavailable();
        using var user = await CreateUserAsync("pro");
        using var other = await CreateUserAsync("pro");
        var sleeper = await UploadAsync(user, SleeperModule, "sleeper.wasm");
        var echo = await UploadAsync(user, EchoModule, "echo.wasm");
        await UploadAsync(other, EchoModule, "same-bytes.wasm");

        // The execution of echo waits in the queue while echo is deleted.
        await HoldTheTenantsSlotsAsync(user, sleeper);
        var waiting = await ExecutionIdAsync(await SubmitAsync(user, echo, new { input = "too late\n" }));
        var deleted = await user.DeleteAsync($"/api/wasm/modules/{echo}", Token);

        var result = await CompletedAsync(user, waiting);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal("rejected", result.GetProperty("outcome").GetString());
        Assert.Equal("The module was deleted before the execution could run.", result.GetProperty("error").GetString());
    }

    [Fact]
    public async Task AsyncExecution_AnotherTenant_NeitherFindsNorListsIt()
    {
        SkipIfUnavailable();
        using var owner = await CreateUserAsync("pro");
        using var stranger = await CreateUserAsync("pro");
        var echo = await UploadAsync(owner, EchoModule, "echo.wasm");

        var id = await ExecutionIdAsync(await SubmitAsync(owner, echo, new { input = "mine\n" }));
        var whileQueued = await stranger.GetAsync($"/api/executions/{id}", Token);
        await CompletedAsync(owner, id);
        var whenDone = await stranger.GetAsync($"/api/executions/{id}", Token);
        var strangersList = await ListAsync(stranger, "");
        var submitToTheirs = await SubmitAsync(stranger, echo, new { input = "theirs\n" });

        Assert.Equal(HttpStatusCode.NotFound, whileQueued.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, whenDone.StatusCode);
        Assert.Equal("not_found", (await BodyAsync(whenDone)).GetProperty("code").GetString());
        Assert.Empty(strangersList.Executions);
        Assert.Equal(HttpStatusCode.NotFound, submitToTheirs.StatusCode);
    }

    [Fact]
    public async Task AsyncExecution_FreeTierPastItsPendingCap_429ConcurrencyLimited_ARetryStillFindsItsExecution()
    {
        SkipIfUnavailable();

        // A free key's burst (5 requests) cannot queue ten executions, and the tier's rate budget is kept per tier:
        // so the ten are submitted as basic, then the tenant is moved to free, whose cap (10) they now fill.
        using var user = await CreateUserAsync("basic");
        var sleeper = await UploadAsync(user, UniqueSleeperModule(), "sleeper.wasm");

        // Each run lasts until its deadline (5 s, also the free tier's longest): nothing leaves the backlog before
        // that, and a test spends far less time than that on the dozen requests below.
        var body = new { timeout_ms = 5000 };
        var retryKey = "pending-" + Guid.NewGuid();
        var keyed = await ExecutionIdAsync(await SubmitAsync(user, sleeper, body, retryKey));
        for (var i = 1; i < 10; i++)
        {
            await ExecutionIdAsync(await SubmitAsync(user, sleeper, body));
        }

        await SetTierAsync(user.Id, "free");
        var refused = await SubmitAsync(user, sleeper, body);
        var retried = await SubmitAsync(user, sleeper, body, retryKey);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("concurrency_limited", (await BodyAsync(refused)).GetProperty("code").GetString());
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal(keyed, await ExecutionIdAsync(retried));

        // Leave no sleepers holding the sandbox for the next scenario: the runs end by their deadline, and the embedded
        // queue and the executor refuse what has not started once the module is gone.
        await SetTierAsync(user.Id, "basic");
        var deleted = await user.DeleteAsync($"/api/wasm/modules/{sleeper}", Token);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await Eventually.HoldsAsync(
            async () => (await ListAsync(user, "limit=20")).Executions.All(e => e.Status != "running"),
            TimeSpan.FromSeconds(20),
            TimeSpan.FromMilliseconds(500));
    }

    /// <summary>
    /// Starts runs that hold every sandbox slot one tenant may have (all slots but one) until their 3 s deadline, and
    /// returns once they run, so that the tenant's next execution cannot start at once: it has to wait.
    /// </summary>
    private static async Task HoldTheTenantsSlotsAsync(UserClient user, Guid sleeper)
    {
        for (var i = 0; i < 3; i++)
        {
            await ExecutionIdAsync(await SubmitAsync(user, sleeper, new { timeout_ms = 3000 }));
        }

        await Eventually.HoldsAsync(
            async () => (await ListAsync(user, $"module_id={sleeper}")).Executions
                .Count(e => e.Status == "running") == 3,
            TimeSpan.FromSeconds(10),
            TimeSpan.FromMilliseconds(50));
    }

    private void SkipIfUnavailable()
    {
        if (composition.SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }
    }

    private static MultipartFormDataContent Form(byte[] wasm, string name) => new()
    {
        { WasmContent(wasm), "wasm", name },
        { new StringContent(name), "name" },
    };

    private static ByteArrayContent WasmContent(byte[] wasm) =>
        new(wasm) { Headers = { ContentType = new MediaTypeHeaderValue("application/wasm") } };

    private static async Task<JsonElement> BodyAsync(HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>(Token);

    private static async Task<Guid> UploadAsync(UserClient user, byte[] wasm, string name)
    {
        using var form = Form(wasm, name);
        var response = await user.PostAsync("/api/wasm/upload", form, Token);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Token));
        return Guid.Parse((await BodyAsync(response)).GetProperty("id").GetString()!);
    }

    private static async Task<HttpResponseMessage> SubmitAsync(
        UserClient user, Guid module, object body, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/wasm/modules/{module}/executions")
        {
            Content = JsonContent.Create(body),
        };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await user.SendAsync(request, Token);
    }

    /// <summary>The execution a submit answered: 202 while it waits or runs, 200 once a retry finds it done.</summary>
    private static async Task<Guid> ExecutionIdAsync(HttpResponseMessage submitted)
    {
        var body = await BodyAsync(submitted);
        Assert.True(submitted.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK, body.ToString());
        return Guid.Parse(body.GetProperty("execution_id").GetString()!);
    }

    private static Task<JsonElement> CompletedAsync(UserClient user, Guid id) =>
        CompletedAsync(user, new Uri($"/api/executions/{id}", UriKind.Relative));

    /// <summary>Polls <paramref name="location"/> until the execution has completed, and returns its result.</summary>
    private static async Task<JsonElement> CompletedAsync(UserClient user, Uri location)
    {
        JsonElement result = default;

        // Ten a second stays below a pro key's sustained rate (1,000 a minute), so polling never spends its budget.
        await Eventually.HoldsAsync(
            async () =>
            {
                using var response = await user.GetAsync(location, Token);
                result = await BodyAsync(response);
                Assert.True(response.StatusCode == HttpStatusCode.OK, result.ToString());
                return result.GetProperty("status").GetString() == "completed";
            },
            TimeSpan.FromSeconds(20),
            TimeSpan.FromMilliseconds(100));
        return result;
    }

    /// <summary>One page of the user's executions, with <paramref name="query"/> (without the <c>?</c>).</summary>
    private static async Task<ExecutionPage> ListAsync(UserClient user, string query)
    {
        var response = await user.GetAsync("/api/executions?" + query, Token);
        var body = await BodyAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        var executions = body.GetProperty("executions").EnumerateArray()
            .Select(e => new ListedExecution(
                Guid.Parse(e.GetProperty("execution_id").GetString()!),
                Guid.Parse(e.GetProperty("module_id").GetString()!),
                e.GetProperty("status").GetString()!,
                e.GetProperty("outcome").GetString()))
            .ToList();
        return new ExecutionPage(executions, body.GetProperty("next_cursor").GetString());
    }

    private async Task SetTierAsync(Guid userId, string tier)
    {
        using var admin = Client(composition.AdminKey);
        var response = await admin.PutAsJsonAsync($"/api/admin/users/{userId}/tier", new { tier }, Token);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Token));
    }

    /// <summary>The results announced for <paramref name="id"/> (skips where they cannot be watched).</summary>
    private async Task<IReadOnlyList<ExecutionResultEvent>> ResultsOfAsync(Guid id)
    {
        try
        {
            return [.. (await composition.ExecutionResultsAsync(Token)).Where(r => r.ExecutionId == id)];
        }
        catch (NotSupportedException e)
        {
            Assert.Skip(e.Message);
            throw;
        }
    }

    private static byte[] WithCustomSection(byte[] module, int size)
    {
        var payload = new List<byte> { 7 };
        payload.AddRange("padding"u8.ToArray());
        payload.AddRange(new byte[size]);
        var section = new List<byte> { 0 };
        for (var length = (uint)payload.Count; ; length >>= 7)
        {
            if (length < 0x80)
            {
                section.Add((byte)length);
                break;
            }

            section.Add((byte)((length & 0x7f) | 0x80));
        }

        return [.. module, .. section, .. payload];
    }

    private HttpClient Client(string key)
    {
        var client = composition.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private async Task<UserClient> CreateUserAsync(string tier)
    {
        using var admin = Client(composition.AdminKey);
        var response = await admin.PostAsJsonAsync(
            "/api/admin/users", new { email = $"user-{Guid.NewGuid():N}@example.com", tier }, Token);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Token));
        var body = await BodyAsync(response);
        return new UserClient(Guid.Parse(body.GetProperty("id").GetString()!), Client(body.GetProperty("api_key").GetString()!));
    }

    /// <summary>The first audit event that matches, waiting for it: delivery through a broker takes a moment.</summary>
    private async Task<AuditEvent> AuditEventAsync(Func<AuditEvent, bool> match)
    {
        AuditEvent? found = null;
        await Eventually.HoldsAsync(() =>
        {
            found = composition.AuditEventsAsync(Token).GetAwaiter().GetResult().FirstOrDefault(match);
            return found is not null;
        });
        return found!;
    }

    /// <summary>A signed-in user's client.</summary>
    private sealed class UserClient(Guid id, HttpClient client) : IDisposable
    {
        public Guid Id { get; } = id;

        public Task<HttpResponseMessage> GetAsync(string path, CancellationToken token) => client.GetAsync(path, token);

        public Task<HttpResponseMessage> GetAsync(Uri path, CancellationToken token) => client.GetAsync(path, token);

        public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken token) =>
            client.SendAsync(request, token);

        public Task<string> GetStringAsync(string path, CancellationToken token) => client.GetStringAsync(path, token);

        public Task<HttpResponseMessage> PostAsync(string path, HttpContent content, CancellationToken token) =>
            client.PostAsync(path, content, token);

        public Task<HttpResponseMessage> PostAsJsonAsync<T>(string path, T body, CancellationToken token) =>
            client.PostAsJsonAsync(path, body, token);

        public Task<HttpResponseMessage> DeleteAsync(string path, CancellationToken token) => client.DeleteAsync(path, token);

        public void Dispose() => client.Dispose();
    }

    /// <summary>An execution as <c>GET /api/executions</c> lists it (the fields the scenarios look at).</summary>
    private sealed record ListedExecution(Guid Id, Guid ModuleId, string Status, string? Outcome);

    /// <summary>A page of the listing and the cursor of the next one.</summary>
    private sealed record ExecutionPage(IReadOnlyList<ListedExecution> Executions, string? Next);
}
