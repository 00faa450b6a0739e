using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using WasmWizard.Api.Tests.Infrastructure;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Ports;
using WasmWizard.Standalone.Events;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Api.Tests.Integration;

/// <summary>
/// The audit trail as its users see it: uploads, runs and deletions recorded with what an auditor needs and nothing
/// the guest read or wrote; <c>/api/audit/events</c> and <c>/api/audit/verify</c> scoped to the caller's tenant; and
/// nothing lost while the audit store is failing, even across a restart.
/// </summary>
public sealed class AuditTrailApiTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static byte[] Echo => File.ReadAllBytes(Path.Combine(RepositoryLocation.Root, "examples", "echo.wasm"));

    [Fact]
    public async Task UploadRunDelete_RecordedWithHashLimitsAndSizes_NeverTheInputOrOutput()
    {
        using var app = new WasmWizardApp();
        using var user = await app.CreateUserAsync("pro");
        var module = await ApiCalls.UploadAsync(user.Client, Echo, "echo.wasm");
        var moduleId = module.GetProperty("id").GetString()!;
        var run = await ApiCalls.BodyAsync(await ApiCalls.ExecuteAsync(
            user.Client, Guid.Parse(moduleId), new { input = "confidential-stdin-7f3a", timeout_ms = 2000 }));
        await user.Client.DeleteAsync($"/api/wasm/modules/{moduleId}", Token);

        var events = await EventsAsync(app);

        var uploaded = Assert.Single(events, e => e.Type == AuditEventTypes.ModuleUploaded);
        Assert.Equal("module:" + moduleId, uploaded.Subject);
        Assert.Equal(user.Id, uploaded.TenantId);
        Assert.Equal("key:" + user.ApiKeyId, uploaded.Actor);
        Assert.Equal(module.GetProperty("sha256").GetString(), uploaded.Details["module_sha256"]);
        var executed = Assert.Single(events, e => e.Type == AuditEventTypes.ExecutionCompleted);
        Assert.Equal("execution:" + run.GetProperty("execution_id").GetString(), executed.Subject);
        Assert.Equal(user.Id, executed.TenantId);
        Assert.Equal("exited", executed.Details["outcome"]);
        Assert.Equal("2000", executed.Details["timeout_ms"]);
        Assert.Equal(uploaded.Details["module_sha256"], executed.Details["module_sha256"]);
        var stdoutBytes = System.Text.Encoding.UTF8.GetByteCount(run.GetProperty("output").GetString()!);
        Assert.Equal(stdoutBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), executed.Details["stdout_bytes"]);
        Assert.True(executed.Details.ContainsKey("duration_ms") && executed.Details.ContainsKey("memory_limit_bytes"));
        Assert.Single(events, e => e.Type == AuditEventTypes.ModuleDeleted && e.Subject == "module:" + moduleId);
        Assert.DoesNotContain("confidential-stdin-7f3a", JsonSerializer.Serialize(events), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_ATenantSeesOnlyItsOwn_AnAdminSeesEveryonesOrOnesChosen()
    {
        using var app = new WasmWizardApp();
        using var alice = await app.CreateUserAsync("basic");
        using var bob = await app.CreateUserAsync("basic");
        await alice.Client.PostAsJsonAsync("/api/auth/keys", new { name = "alice-2" }, Token);
        await bob.Client.PostAsJsonAsync("/api/auth/keys", new { name = "bob-2" }, Token);
        using var admin = app.AdminClient();

        var alicesView = await ListAsync(alice.Client, "");
        var asksForBob = await alice.Client.GetAsync($"/api/audit/events?tenant={bob.Id}", Token);
        var adminsView = await ListAsync(admin, "?limit=500");
        var adminOnBob = await ListAsync(admin, $"?tenant={bob.Id}");

        Assert.NotEmpty(alicesView);
        Assert.All(alicesView, e => Assert.Equal(alice.Id.ToString(), e.GetProperty("tenant_id").GetString()));
        await ApiCalls.AssertProblemAsync(asksForBob, HttpStatusCode.Forbidden, "forbidden");
        Assert.Contains(adminsView, e => e.GetProperty("tenant_id").GetString() == alice.Id.ToString());
        Assert.Contains(adminsView, e => e.GetProperty("tenant_id").GetString() == bob.Id.ToString());
        Assert.NotEmpty(adminOnBob);
        Assert.All(adminOnBob, e => Assert.Equal(bob.Id.ToString(), e.GetProperty("tenant_id").GetString()));
    }

    [Fact]
    public async Task Events_FilteredByTypeActorSubjectAndTime_PagedWithACursor()
    {
        using var app = new WasmWizardApp();
        using var user = await app.CreateUserAsync("pro");
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var keyIds = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var created = await ApiCalls.BodyAsync(
                await user.Client.PostAsJsonAsync("/api/auth/keys", new { name = $"k{i}" }, Token));
            keyIds.Add(created.GetProperty("id").GetString()!);
        }

        var keysCreated = await ListAsync(user.Client, "?type=key.created");
        var aboutOneKey = await ListAsync(user.Client, $"?subject=key:{keyIds[2]}");
        var byTheFirstKey = await ListAsync(user.Client, $"?actor=key:{user.ApiKeyId}&type=key.created");
        var inTheFuture = await ListAsync(user.Client, $"?from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O"))}");
        var sinceBefore = await ListAsync(user.Client, $"?type=key.created&from={Uri.EscapeDataString(before.ToString("O"))}");
        var pages = await AllPagesAsync(user.Client, "?type=key.created&limit=2");

        // The user's first key was created by the admin, so it is in the user's trail but not by the user's key.
        Assert.Equal(6, keysCreated.Count);
        Assert.All(keysCreated, e => Assert.Equal("key.created", e.GetProperty("type").GetString()));
        Assert.Equal("key:" + keyIds[2], Assert.Single(aboutOneKey).GetProperty("subject").GetString());
        Assert.Equal(5, byTheFirstKey.Count);
        Assert.Empty(inTheFuture);
        Assert.Equal(6, sinceBefore.Count);
        Assert.Equal(3, pages.Count);
        var paged = pages.SelectMany(p => p).Select(e => e.GetProperty("id").GetString()).ToList();
        Assert.Equal(keysCreated.Select(e => e.GetProperty("id").GetString()), paged);
    }

    [Theory]
    [InlineData("?limit=0", "invalid_query")]
    [InlineData("?limit=501", "invalid_query")]
    [InlineData("?from=yesterday", "invalid_query")]
    [InlineData("?from=2026-12-04T10:00:00", "invalid_query")]
    [InlineData("?from=2026-12-04T10:00:00Z&to=2026-12-04T09:00:00Z", "invalid_query")]
    [InlineData("?cursor=not-a-cursor", "invalid_cursor")]
    [InlineData("?tenant=someone", "invalid_query")]
    [InlineData("?type=' OR 1=1 --", null)]
    [InlineData("?subject=x%27%3B%20DROP%20TABLE%20audit_events%3B--", null)]
    public async Task Events_BadOrHostileQuery_ClearRefusalOrNothingMatched(string query, string? code)
    {
        using var app = new WasmWizardApp();
        using var user = await app.CreateUserAsync("pro");

        var response = await user.Client.GetAsync("/api/audit/events" + query, Token);
        var stillThere = await ListAsync(user.Client, "");

        if (code is null)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Empty((await ApiCalls.BodyAsync(response)).GetProperty("events").EnumerateArray());
        }
        else
        {
            await ApiCalls.AssertProblemAsync(response, HttpStatusCode.BadRequest, code);
        }

        Assert.NotEmpty(stillThere);
    }

    [Fact]
    public async Task Verify_OwnChainIntact_AdminChecksEveryChain()
    {
        using var app = new WasmWizardApp();
        using var user = await app.CreateUserAsync("basic");
        await user.Client.PostAsJsonAsync("/api/auth/keys", new { name = "second" }, Token);
        using var admin = app.AdminClient();

        var own = await ApiCalls.BodyAsync(await user.Client.GetAsync("/api/audit/verify", Token));
        var all = await ApiCalls.BodyAsync(await admin.GetAsync("/api/audit/verify", Token));

        Assert.True(own.GetProperty("intact").GetBoolean());
        Assert.Equal(1, own.GetProperty("chains_checked").GetInt32());
        Assert.Equal((await ListAsync(user.Client, "?limit=500")).Count, own.GetProperty("events_checked").GetInt64());
        Assert.True(all.GetProperty("intact").GetBoolean());
        Assert.True(all.GetProperty("chains_checked").GetInt32() >= 2);
        Assert.Empty(all.GetProperty("breaks").EnumerateArray());
    }

    [Fact]
    public async Task AuditStoreFailing_RequestsStillServed_EventsKeptOnceItRecovers()
    {
        var failing = new FailSwitch { Failing = true };
        using var app = new WasmWizardApp(services: s => FailingAuditStore.Register(s, failing));
        using var user = await app.CreateUserAsync("basic");

        var created = await user.Client.PostAsJsonAsync("/api/auth/keys", new { name = "while-down" }, Token);
        var keyId = Guid.Parse((await ApiCalls.BodyAsync(created)).GetProperty("id").GetString()!);
        var keptWhileDown = (await EventsAsync(app)).Any(e => e.SubjectKeyId == keyId);
        failing.Failing = false;

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.False(keptWhileDown);
        await Eventually.HoldsAsync(() => EventsAsync(app).GetAwaiter().GetResult().Any(e => e.SubjectKeyId == keyId));
        Assert.Single(await EventsAsync(app), e => e.SubjectKeyId == keyId);
    }

    [Fact]
    public async Task AuditStoreFailing_EventsSurviveARestart()
    {
        Guid keyId;
        string dataDirectory;
        using (var first = new WasmWizardApp(services: s => FailingAuditStore.Register(s, new FailSwitch { Failing = true })))
        {
            dataDirectory = first.DataDirectory;
            using var user = await first.CreateUserAsync("basic");
            var created = await user.Client.PostAsJsonAsync("/api/auth/keys", new { name = "before-restart" }, Token);
            keyId = Guid.Parse((await ApiCalls.BodyAsync(created)).GetProperty("id").GetString()!);
        }

        using var second = new WasmWizardApp(dataDirectory: dataDirectory);
        _ = second.CreateClient();

        await Eventually.HoldsAsync(() => EventsAsync(second).GetAwaiter().GetResult().Any(e => e.SubjectKeyId == keyId));
    }

    [Fact]
    public async Task AuditStoreRecovers_EventsKeptInTheOrderTheyHappened()
    {
        var failing = new FailSwitch();
        using var app = new WasmWizardApp(services: s => FailingAuditStore.Register(s, failing));
        using var user = await app.CreateUserAsync("basic");
        var outbox = app.Services.GetRequiredService<SqliteEventOutbox>();
        failing.Failing = true;

        var first = await CreateKeyAsync(user.Client, "first");
        // Retried until its next attempt is a couple of seconds away: a newer event must still wait behind it.
        await Eventually.HoldsAsync(() => outbox.OldestAsync(1, Token).GetAwaiter().GetResult() is [{ Attempts: >= 3 }]);
        var second = await CreateKeyAsync(user.Client, "second");
        failing.Failing = false;
        await Eventually.HoldsAsync(() =>
            EventsAsync(app).GetAwaiter().GetResult().Count(e => e.SubjectKeyId == first || e.SubjectKeyId == second) == 2);

        // Newest (last appended) first, as GET /api/audit/events lists them.
        var listed = await ListAsync(user.Client, "?type=key.created&limit=500");
        Assert.Equal(second.ToString(), listed[0].GetProperty("subject").GetString()!["key:".Length..]);
        Assert.Equal(first.ToString(), listed[1].GetProperty("subject").GetString()!["key:".Length..]);
    }

    [Fact]
    public async Task AuditEventsUndeliverable_ReadinessDegraded_RequestsStillServed()
    {
        using var app = new WasmWizardApp(services: s => FailingAuditStore.Register(s, new FailSwitch { Failing = true }));
        using var user = await app.CreateUserAsync("basic");
        await CreateKeyAsync(user.Client, "undeliverable");
        using var anonymous = app.CreateClient();

        HttpResponseMessage ready = null!;
        await Eventually.HoldsAsync(() =>
        {
            ready = anonymous.GetAsync("/health/ready", Token).GetAwaiter().GetResult();
            return ready.Content.ReadAsStringAsync(Token).GetAwaiter().GetResult().Contains("degraded", StringComparison.Ordinal);
        });

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var check = (await ApiCalls.BodyAsync(ready)).GetProperty("checks").GetProperty("audit-outbox");
        Assert.Equal("degraded", check.GetProperty("status").GetString());
    }

    [Fact]
    public async Task ForbiddenRequests_Audited()
    {
        using var app = new WasmWizardApp();
        using var alice = await app.CreateUserAsync("basic");
        using var bob = await app.CreateUserAsync("basic");

        var snoop = await bob.Client.GetAsync($"/api/audit/events?tenant={alice.Id}", Token);
        var adminRoute = await bob.Client.GetAsync("/api/admin/users", Token);

        Assert.Equal(HttpStatusCode.Forbidden, snoop.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, adminRoute.StatusCode);
        var denied = Assert.Single(await EventsAsync(app), e => e.Type == AuditEventTypes.AccessDenied);
        Assert.Equal(bob.Id, denied.TenantId);
        Assert.Equal("/api/audit/events", denied.Details["path"]);
    }

    [Theory]
    [InlineData("/api/audit/events")]
    [InlineData("/api/audit/verify")]
    public async Task AuditStoreUnreachable_ReadingTheTrail_503WithRetryAfter(string path)
    {
        using var app = new WasmWizardApp(services: s => s.Replace(ServiceDescriptor.Singleton<IAuditEventStore, UnreachableAuditStore>()));
        using var user = await app.CreateUserAsync("basic");

        var response = await user.Client.GetAsync(path, Token);

        await ApiCalls.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "dependency_unavailable");
        Assert.NotNull(response.Headers.RetryAfter);
    }

    private static async Task<Guid> CreateKeyAsync(HttpClient client, string name)
    {
        var created = await client.PostAsJsonAsync("/api/auth/keys", new { name }, Token);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return Guid.Parse((await ApiCalls.BodyAsync(created)).GetProperty("id").GetString()!);
    }

    private static async Task<IReadOnlyList<AuditEvent>> EventsAsync(WasmWizardApp app) =>
        await app.Services.GetRequiredService<IAuditEventStore>().ListAsync(1000, Token);

    private static async Task<List<JsonElement>> ListAsync(HttpClient client, string query)
    {
        var response = await client.GetAsync("/api/audit/events" + query, Token);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await ApiCalls.Describe(response));
        return (await ApiCalls.BodyAsync(response)).GetProperty("events").EnumerateArray().ToList();
    }

    private static async Task<List<List<JsonElement>>> AllPagesAsync(HttpClient client, string query)
    {
        var pages = new List<List<JsonElement>>();
        string? cursor = null;
        do
        {
            var suffix = cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor);
            var body = await ApiCalls.BodyAsync(await client.GetAsync("/api/audit/events" + query + suffix, Token));
            pages.Add(body.GetProperty("events").EnumerateArray().ToList());
            cursor = body.GetProperty("next_cursor").ValueKind == JsonValueKind.Null
                ? null
                : body.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null && pages.Count < 20);

        return pages;
    }

    /// <summary>An audit store on a PostgreSQL server that is not running: every call fails as Npgsql fails then.</summary>
    private sealed class UnreachableAuditStore : IAuditEventStore
    {
        private static Npgsql.NpgsqlException Down() =>
            new("Failed to connect to 127.0.0.1:5432 (test)", new System.Net.Sockets.SocketException(111));

        public Task<bool> AppendAsync(AuditEvent @event, CancellationToken cancellationToken) => throw Down();

        public Task<IReadOnlyList<AuditEvent>> ListAsync(int limit, CancellationToken cancellationToken) => throw Down();

        public Task<int> RemoveOlderThanAsync(DateTimeOffset cutoff, int maxEvents, CancellationToken cancellationToken) =>
            throw Down();

        public Task PingAsync(CancellationToken cancellationToken) => throw Down();

        public Task<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken) => throw Down();

        public Task<ChainReport> VerifyAsync(AuditChainScope scope, CancellationToken cancellationToken) => throw Down();
    }

    /// <summary>Makes the audit store refuse appends while set, as a store that is down does.</summary>
    private sealed class FailSwitch
    {
        public volatile bool Failing;
    }

    private sealed class FailingAuditStore(IAuditEventStore inner, FailSwitch failSwitch) : IAuditEventStore
    {
        public Task<bool> AppendAsync(AuditEvent @event, CancellationToken cancellationToken) =>
            failSwitch.Failing ? throw new IOException("The audit store is down (test).") : inner.AppendAsync(@event, cancellationToken);

        public Task<IReadOnlyList<AuditEvent>> ListAsync(int limit, CancellationToken cancellationToken) =>
            inner.ListAsync(limit, cancellationToken);

        public Task<int> RemoveOlderThanAsync(DateTimeOffset cutoff, int maxEvents, CancellationToken cancellationToken) =>
            inner.RemoveOlderThanAsync(cutoff, maxEvents, cancellationToken);

        public Task PingAsync(CancellationToken cancellationToken) => inner.PingAsync(cancellationToken);

        public Task<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken) =>
            inner.QueryAsync(query, cancellationToken);

        public Task<ChainReport> VerifyAsync(AuditChainScope scope, CancellationToken cancellationToken) =>
            inner.VerifyAsync(scope, cancellationToken);

        public static void Register(IServiceCollection services, FailSwitch failSwitch)
        {
            var original = services.Last(d => d.ServiceType == typeof(IAuditEventStore));
            services.Replace(ServiceDescriptor.Singleton<IAuditEventStore>(sp => new FailingAuditStore(
                (IAuditEventStore)(original.ImplementationInstance
                    ?? original.ImplementationFactory?.Invoke(sp)
                    ?? ActivatorUtilities.CreateInstance(sp, original.ImplementationType!)),
                failSwitch)));
        }
    }
}
