using System.Security.Cryptography;
using System.Text;
using WasmWizard.Shared.Dapr;
using static WasmWizard.Dapr.Tests.Infrastructure.TestData;

namespace WasmWizard.Dapr.Tests.State;

/// <summary>The keys as documented in <c>services/shared/Dapr/README.md</c>, and what they must never hold.</summary>
public sealed class KeyModelTests : DaprStoreFixture
{
    [Fact]
    public async Task Store_UserKeyModuleAndRun_WritesExactlyTheDocumentedKeys()
    {
        var user = User("Key.Model@example.com");
        var (key, _) = Key(user.Id);
        await Dapr.Identities.TryCreateUserAsync(user, key, Token);
        var bytes = Bytes(1);
        var module = Module(user.Id, bytes, isPublic: true);
        await Dapr.Modules.AddAsync(module, bytes, Token);
        var run = Execution(user.Id, module);
        await Dapr.Executions.AddAsync(run, Token);

        string[] expected =
        [
            "users",
            $"user:{user.Id}",
            $"user-email:{Hex(Encoding.UTF8.GetBytes("key.model@example.com"))}",
            $"user-keys:{user.Id}",
            $"api-key:{key.Id}",
            $"key-hash:{key.KeyHash}",
            $"module:{module.Id}",
            $"owner-modules:{user.Id}",
            "public-modules",
            $"module-refs:{module.Sha256}",
            $"module-bytes:{module.Sha256}",
            $"execution:{run.Id}",
        ];
        Assert.Equal(
            expected.Select(k => $"{DaprNames.StateStore}||{k}").Order(StringComparer.Ordinal),
            Dapr.State.Entries.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Store_CompletedJobWithKey_WritesExactlyTheDocumentedKeysAndRetentionLeavesOnlyIndexes()
    {
        var job = Job(Guid.CreateVersion7(), Guid.CreateVersion7(), "Key || with pipes");
        await Dapr.Jobs.CreateAsync(job, Token);
        await Dapr.Jobs.TryMarkRunningAsync(job.Id, T0, Token);
        await Dapr.Jobs.CompleteAsync(job.Id, Result(), T0.AddSeconds(1), Token);

        string[] expected =
        [
            $"job:{job.Id}",
            $"jobs:{job.TenantId}",
            $"job-key:{job.TenantId}:{Hex(Encoding.UTF8.GetBytes("Key || with pipes"))}",
            "jobs-completed",
        ];
        Assert.Equal(
            expected.Select(k => $"{DaprNames.StateStore}||{k}").Order(StringComparer.Ordinal),
            Dapr.State.Entries.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(
            $$"""{"entries":[{"id":"{{job.Id}}","createdAt":"2026-03-01T12:00:00+00:00",""" +
            $$"""
            "moduleId":"{{job.ModuleId}}","outcome":"exited"}]}
            """,
            Dapr.Stored($"jobs:{job.TenantId}")!.ValueAsString());
        Assert.Equal(
            $$"""{"entries":[{"id":"{{job.Id}}","tenantId":"{{job.TenantId}}",""" +
            """
            "completedAt":"2026-03-01T12:00:01+00:00"}]}
            """,
            Dapr.Stored("jobs-completed")!.ValueAsString());
        Assert.DoesNotContain("guest", Dapr.Stored($"job:{job.Id}")!.ValueAsString(), StringComparison.Ordinal);

        Assert.Equal(1, await Dapr.Jobs.RemoveCompletedBeforeAsync(T0.AddMinutes(1), 10, Token));

        Assert.Equal(
            new[] { "jobs-completed", $"jobs:{job.TenantId}" }
                .Select(k => $"{DaprNames.StateStore}||{k}").Order(StringComparer.Ordinal),
            Dapr.State.Entries.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Store_ModuleIndexes_HoldOnlyTheDocumentedEntries()
    {
        var owner = Guid.CreateVersion7();
        var bytes = Bytes(1, 100);
        var module = Module(owner, bytes, isPublic: true);
        await Dapr.Modules.AddAsync(module, bytes, Token);

        Assert.Equal(
            $$"""{"entries":[{"id":"{{module.Id}}","bytes":100}]}""",
            Dapr.Stored($"owner-modules:{owner}")!.ValueAsString());
        Assert.Equal($$"""{"entries":[{"id":"{{module.Id}}"}]}""", Dapr.Stored("public-modules")!.ValueAsString());
        Assert.Equal(
            $$"""{"entries":[{"id":"{{module.Id}}"}]}""",
            Dapr.Stored($"module-refs:{module.Sha256}")!.ValueAsString());
    }

    [Fact]
    public async Task Store_NewKey_KeepsNoSecretAndNoAddressInKeyNames()
    {
        var user = User("secret.keeper@example.com");
        var (first, firstSecret) = Key(user.Id);
        await Dapr.Identities.TryCreateUserAsync(user, first, Token);
        var (second, secondSecret) = Key(user.Id);
        await Dapr.Identities.AddKeyAsync(second, Token);

        var everything = string.Join('\n', Dapr.State.Entries.Select(e => e.Key + "=" + e.Value.ValueAsString()));

        Assert.DoesNotContain(firstSecret, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(secondSecret, everything, StringComparison.Ordinal);
        Assert.Contains(second.KeyHash, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(Dapr.State.Entries.Keys, k => k.Contains("secret.keeper", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FindUserByEmail_AddressWithPipes_IsStoredUnderAKeyWithoutTheSeparator()
    {
        var user = User("a||b@example.com");

        Assert.True(await Dapr.Identities.TryCreateUserAsync(user, Key(user.Id).Key, Token));

        Assert.Equal(user, await Dapr.Identities.FindUserByEmailAsync("A||B@example.com", Token));
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
