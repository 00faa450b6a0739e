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

        public Task<string> GetStringAsync(string path, CancellationToken token) => client.GetStringAsync(path, token);

        public Task<HttpResponseMessage> PostAsync(string path, HttpContent content, CancellationToken token) =>
            client.PostAsync(path, content, token);

        public Task<HttpResponseMessage> PostAsJsonAsync<T>(string path, T body, CancellationToken token) =>
            client.PostAsJsonAsync(path, body, token);

        public Task<HttpResponseMessage> DeleteAsync(string path, CancellationToken token) => client.DeleteAsync(path, token);

        public void Dispose() => client.Dispose();
    }
}
