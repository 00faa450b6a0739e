using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using WasmWizard.Api.Tests.Infrastructure;

namespace WasmWizard.Api.Tests.Integration;

public sealed class AuthTests : IClassFixture<AuthTests.App>
{
    private readonly WasmWizardApp _app;

    public AuthTests(App app) => _app = app.Instance;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer")]
    [InlineData("Bearer ww_short")]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer ww_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task Request_MissingMalformedOrUnknownKey_Unauthorized(string? authorization)
    {
        using var client = _app.CreateClient();
        if (authorization is not null)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        }

        var response = await client.GetAsync("/api/wasm/modules", Token);

        await ApiCalls.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_RevokedKey_UnauthorizedWhileOtherKeysStillWork()
    {
        using var user = await _app.CreateUserAsync();
        var second = await ApiCalls.BodyAsync(await user.Client.PostAsJsonAsync("/api/auth/keys", new { name = "ci" }, Token));
        using var secondClient = _app.ClientWithKey(second.GetProperty("api_key").GetString()!);
        Assert.Equal(HttpStatusCode.OK, (await secondClient.GetAsync("/api/wasm/modules", Token)).StatusCode);

        var revoke = await user.Client.DeleteAsync($"/api/auth/keys/{second.GetProperty("id").GetString()}", Token);

        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        await ApiCalls.AssertUnauthorizedAsync(secondClient);
        Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync("/api/wasm/modules", Token)).StatusCode);
    }

    [Fact]
    public async Task AdminEndpoint_UserKey_Forbidden()
    {
        using var user = await _app.CreateUserAsync("enterprise");

        var response = await user.Client.PostAsJsonAsync("/api/admin/users", new { email = "x@example.com", tier = "free" }, Token);

        await ApiCalls.AssertProblemAsync(response, HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Module_OfAnotherTenant_NotFoundForReadRunAndDelete()
    {
        using var owner = await _app.CreateUserAsync();
        using var stranger = await _app.CreateUserAsync();
        var module = await ApiCalls.UploadAsync(owner.Client, TestModules.Hello, "private.wasm");
        var id = module.GetProperty("id").GetString();

        var read = await stranger.Client.GetAsync($"/api/wasm/modules/{id}", Token);
        var run = await ApiCalls.ExecuteAsync(stranger.Client, Guid.Parse(id!), new { });
        var delete = await stranger.Client.DeleteAsync($"/api/wasm/modules/{id}", Token);
        await ApiCalls.AssertProblemAsync(read, HttpStatusCode.NotFound, "not_found");
        await ApiCalls.AssertProblemAsync(run, HttpStatusCode.NotFound, "not_found");
        await ApiCalls.AssertProblemAsync(delete, HttpStatusCode.NotFound, "not_found");
        var list = await ApiCalls.BodyAsync(await stranger.Client.GetAsync("/api/wasm/modules?include_public=true", Token));
        Assert.DoesNotContain(list.GetProperty("modules").EnumerateArray(), m => m.GetProperty("id").GetString() == id);

        Assert.Equal(HttpStatusCode.OK, (await ApiCalls.ExecuteAsync(owner.Client, Guid.Parse(id!), new { })).StatusCode);
    }

    [Fact]
    public async Task Module_PublicOfAnotherTenant_ListedAndRunnableButNotDeletable()
    {
        using var owner = await _app.CreateUserAsync();
        using var other = await _app.CreateUserAsync();
        var module = await ApiCalls.UploadAsync(owner.Client, TestModules.Hello, "shared.wasm", isPublic: true);
        var id = module.GetProperty("id").GetString();

        var ownList = await ApiCalls.BodyAsync(await other.Client.GetAsync("/api/wasm/modules", Token));
        var withPublic = await ApiCalls.BodyAsync(await other.Client.GetAsync("/api/wasm/modules?include_public=true", Token));
        var run = await ApiCalls.ExecuteAsync(other.Client, Guid.Parse(id!), new { });
        var delete = await other.Client.DeleteAsync($"/api/wasm/modules/{id}", Token);

        Assert.DoesNotContain(ownList.GetProperty("modules").EnumerateArray(), m => m.GetProperty("id").GetString() == id);
        var listed = Assert.Single(withPublic.GetProperty("modules").EnumerateArray(), m => m.GetProperty("id").GetString() == id);
        Assert.False(listed.GetProperty("is_owner").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, run.StatusCode);
        await ApiCalls.AssertProblemAsync(delete, HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Keys_CreateListRevoke_ShowsPrefixesNeverSecrets()
    {
        using var user = await _app.CreateUserAsync();

        var created = await user.Client.PostAsJsonAsync("/api/auth/keys", new { name = "deploy" }, Token);
        var key = await ApiCalls.BodyAsync(created);
        var secret = key.GetProperty("api_key").GetString()!;
        var listing = await user.Client.GetStringAsync("/api/auth/keys", Token);
        var keys = await ApiCalls.BodyAsync(await user.Client.GetAsync("/api/auth/keys", Token));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.StartsWith("ww_", secret, StringComparison.Ordinal);
        Assert.StartsWith(key.GetProperty("prefix").GetString()!, secret, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, listing, StringComparison.Ordinal);
        Assert.DoesNotContain(user.ApiKey, listing, StringComparison.Ordinal);
        Assert.Equal(2, keys.GetArrayLength());
        Assert.All(keys.EnumerateArray(), k => Assert.True(k.GetProperty("is_active").GetBoolean()));

        var revoked = await user.Client.DeleteAsync($"/api/auth/keys/{key.GetProperty("id").GetString()}", Token);
        var after = await ApiCalls.BodyAsync(await user.Client.GetAsync("/api/auth/keys", Token));
        var unknown = await user.Client.DeleteAsync($"/api/auth/keys/{Guid.NewGuid()}", Token);

        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        Assert.Single(after.EnumerateArray(), k => !k.GetProperty("is_active").GetBoolean());
        await ApiCalls.AssertProblemAsync(unknown, HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Keys_AnotherUsersKey_CannotBeRevoked()
    {
        using var owner = await _app.CreateUserAsync();
        using var other = await _app.CreateUserAsync();

        var response = await other.Client.DeleteAsync($"/api/auth/keys/{owner.ApiKeyId}", Token);

        await ApiCalls.AssertProblemAsync(response, HttpStatusCode.NotFound, "not_found");
        Assert.Equal(HttpStatusCode.OK, (await owner.Client.GetAsync("/api/wasm/modules", Token)).StatusCode);
    }

    [Fact]
    public async Task Storage_KeepsOnlyHashesOfKeys()
    {
        using var user = await _app.CreateUserAsync();

        var database = await File.ReadAllBytesAsync(Path.Combine(_app.DataDirectory, "wasmwizard.db"), Token);
        var wal = Path.Combine(_app.DataDirectory, "wasmwizard.db-wal");
        var journal = File.Exists(wal) ? await File.ReadAllBytesAsync(wal, Token) : [];
        var text = System.Text.Encoding.ASCII.GetString([.. database, .. journal]);

        Assert.DoesNotContain(user.ApiKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain(_app.AdminKey, text, StringComparison.Ordinal);
        Assert.Contains(WasmWizard.Api.Auth.ApiKeys.Hash(user.ApiKey), text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminKeyFile_IsOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Unix permissions only.");
        }
        else
        {
            Assert.NotEmpty(_app.AdminKey); // starts the host, which writes the file, when no earlier test has
            var mode = File.GetUnixFileMode(Path.Combine(_app.DataDirectory, "admin-api-key"));
            var dataMode = File.GetUnixFileMode(_app.DataDirectory);

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
            Assert.Equal(UnixFileMode.None, dataMode & (UnixFileMode.GroupRead | UnixFileMode.OtherRead));
        }

        await Task.CompletedTask;
    }

    /// <summary>One host for the class; tests create their own users.</summary>
    public sealed class App : IDisposable
    {
        public WasmWizardApp Instance { get; } = new();

        public void Dispose() => Instance.Dispose();
    }
}
