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
