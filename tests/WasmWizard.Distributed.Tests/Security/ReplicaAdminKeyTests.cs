using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using WasmWizard.Api.Auth;
using WasmWizard.Api.Hosting;
using WasmWizard.DaprDouble;
using WasmWizard.DaprDouble.State;
using WasmWizard.Distributed.Tests.Infrastructure;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Dapr;

namespace WasmWizard.Distributed.Tests.Security;

/// <summary>
/// <c>Api:AdminApiKey</c> across api replicas sharing one state store, as Kubernetes runs them: replicas starting
/// at once with the same secret agree on one admin and one key, and a rolled-out new secret retires the old key
/// on every replica, with an audit event that holds no key.
/// </summary>
public sealed class ReplicaAdminKeyTests : IAsyncDisposable
{
    private const string AdminEmail = "admin@wasmwizard.local";

    private readonly string _data = Directory.CreateTempSubdirectory("ww-replica-admin-").FullName;
    private readonly SidecarNetwork _network = new(new SidecarNetworkOptions { ActorStateStore = DaprNames.StateStore }
        .AddStateStore(DaprNames.StateStore, KeyPrefix.Name)
        .AddPubSub(DaprNames.PubSub));

    private readonly List<DaprHost<ApiProgram>> _replicas = [];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Replicas_StartingAtOnceWithTheSameKey_OneAdminUserOneKeyBothAcceptIt()
    {
        var key = ApiKeys.Generate();

        var replicas = await Task.WhenAll(Task.Run(() => StartAsync(key), Token), Task.Run(() => StartAsync(key), Token));

        foreach (var replica in replicas)
        {
            using var admin = Client(replica, key);
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/wasm/modules", Token)).StatusCode);
        }

        using var any = Client(replicas[0], key);
        var users = await JsonAsync(any, "/api/admin/users?limit=100");
        var keys = await JsonAsync(any, "/api/auth/keys");
        Assert.Single(users.GetProperty("users").EnumerateArray(), u => u.GetProperty("email").GetString() == AdminEmail);
        Assert.Single(keys.EnumerateArray(), k => k.GetProperty("is_active").GetBoolean());
        Assert.Empty(Directory.EnumerateFiles(_data, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task NewReplicaWithARotatedKey_OldKeyStopsOnEveryReplicaAndTheAuditEventHoldsNoKey()
    {
        var (old, rotated) = (ApiKeys.Generate(), ApiKeys.Generate());
        var running = await StartAsync(old);

        var rolledOut = await StartAsync(rotated);

        foreach (var replica in new[] { running, rolledOut })
        {
            using var before = Client(replica, old);
            using var after = Client(replica, rotated);
            Assert.Equal(HttpStatusCode.Unauthorized, (await before.GetAsync("/api/wasm/modules", Token)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await after.GetAsync("/api/admin/users", Token)).StatusCode);
        }

        var revoked = await _network.WhenPublishedAsync(
            DaprNames.AuditTopic,
            e => e.DataAs<AuditEvent>() is { Type: AuditEventTypes.KeyRevoked } revocation
                && revocation.Details.ContainsKey("replaced_by"),
            cancellationToken: Token);
        var created = await _network.WhenPublishedAsync(
            DaprNames.AuditTopic,
            e => e.DataAs<AuditEvent>() is { Type: AuditEventTypes.KeyCreated } creation
                && creation.SubjectKeyId?.ToString() == revoked.DataAs<AuditEvent>()!.Details["replaced_by"],
            cancellationToken: Token);
        foreach (var secret in new[] { old[3..], rotated[3..], ApiKeys.Hash(old), ApiKeys.Hash(rotated) })
        {
            Assert.DoesNotContain(secret, revoked.Json, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, created.Json, StringComparison.Ordinal);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync();
        }

        await _network.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    private async Task<DaprHost<ApiProgram>> StartAsync(string adminKey)
    {
        var settings = new Dictionary<string, string?>(Settings.Common)
        {
            ["Api:AdminApiKey"] = adminKey,
            // Where a key file would go; the test sees that nothing is written there.
            ["Api:AdminKeyFile"] = Path.Combine(_data, "admin-api-key"),
        };
        var replica = await DaprHost<ApiProgram>.StartAsync(_network, DaprNames.ApiAppId, settings, replica: true);
        lock (_replicas)
        {
            _replicas.Add(replica);
        }

        return replica;
    }

    private static HttpClient Client(DaprHost<ApiProgram> replica, string key)
    {
        var client = replica.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private static async Task<JsonElement> JsonAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path, Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Token)).RootElement.Clone();
    }
}
