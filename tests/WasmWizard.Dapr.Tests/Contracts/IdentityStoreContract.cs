using WasmWizard.Dapr.Tests.Infrastructure;
using WasmWizard.Shared.Ports;
using static WasmWizard.Dapr.Tests.Infrastructure.TestData;

namespace WasmWizard.Dapr.Tests.Contracts;

/// <summary>What every <see cref="IIdentityStore"/> must do, as the SQLite store does it.</summary>
public abstract class IdentityStoreContract(Func<Task<StorageBackend>> start) : StoreContract(start)
{
    private IIdentityStore Store => Backend.Identities;

    [Fact]
    public async Task TryCreateUser_NewEmail_StoresUserAndFirstKey()
    {
        var user = User();
        var (key, _) = Key(user.Id);

        var created = await Store.TryCreateUserAsync(user, key, Token);

        Assert.True(created);
        Assert.Equal(user, await Store.GetUserAsync(user.Id, Token));
        AssertSameKey(key, Assert.Single(await Store.ListKeysAsync(user.Id, Token)));
        var found = await Store.FindActiveKeyAsync(key.KeyHash, T0, Token);
        Assert.NotNull(found);
        AssertSameKey(key, found.Value.Key);
        Assert.Equal(user, found.Value.User);
    }

    [Fact]
    public async Task TryCreateUser_EmailTaken_ReturnsFalseAndStoresNothing()
    {
        var first = User("taken@example.com");
        await Store.TryCreateUserAsync(first, Key(first.Id).Key, Token);
        var second = User("taken@example.com");
        var (secondKey, _) = Key(second.Id);

        var created = await Store.TryCreateUserAsync(second, secondKey, Token);

        Assert.False(created);
        Assert.Null(await Store.GetUserAsync(second.Id, Token));
        Assert.Null(await Store.FindActiveKeyAsync(secondKey.KeyHash, T0, Token));
        Assert.Empty(await Store.ListKeysAsync(second.Id, Token));
        Assert.Equal(first, await Store.FindUserByEmailAsync("taken@example.com", Token));
        Assert.Equal(1, (await Store.ListUsersAsync(0, 10, Token)).Total);
    }

    [Fact]
    public async Task TryCreateUser_TenConcurrentCreatesOfOneEmail_ExactlyOneWins()
    {
        var users = Enumerable.Range(0, 10).Select(_ => User("race@example.com")).ToList();

        var results = await Task.WhenAll(users.Select(u => Task.Run(
            () => Store.TryCreateUserAsync(u, Key(u.Id).Key, Token), Token)));

        var winner = Assert.Single(users.Where((_, i) => results[i]));
        Assert.Equal(winner, await Store.FindUserByEmailAsync("race@example.com", Token));
        var listed = await Store.ListUsersAsync(0, 100, Token);
        Assert.Equal(1, listed.Total);
        Assert.Equal([winner], listed.Items);
        foreach (var loser in users.Where(u => u != winner))
        {
            Assert.Null(await Store.GetUserAsync(loser.Id, Token));
        }
    }

    [Fact]
    public async Task FindUserByEmail_OtherCase_FindsTheUser()
    {
        var user = User("alice@example.com");
        await Store.TryCreateUserAsync(user, Key(user.Id).Key, Token);

        Assert.Equal(user, await Store.FindUserByEmailAsync("Alice@Example.COM", Token));
        Assert.Null(await Store.FindUserByEmailAsync("bob@example.com", Token));
        Assert.Null(await Store.FindUserByEmailAsync("alice@example.co", Token));
    }

    [Fact]
    public async Task EnsureUser_NewThenSameThenOtherTier_AnswersCreatedUnchangedTierChanged()
    {
        // An external user is never an admin, whatever the record says.
        var user = User("tenant@jwt.example") with { IsAdmin = true };

        var first = await Store.EnsureUserAsync(user, Token);
        var second = await Store.EnsureUserAsync(user, Token);
        var third = await Store.EnsureUserAsync(user with { Tier = "pro" }, Token);

        Assert.Equal(EnsuredUser.Created, first);
        Assert.Equal(EnsuredUser.Unchanged, second);
        Assert.Equal(EnsuredUser.TierChanged, third);
        var stored = user with { IsAdmin = false, Tier = "pro" };
        Assert.Equal(stored, await Store.GetUserAsync(user.Id, Token));
        Assert.Equal(stored, await Store.FindUserByEmailAsync("tenant@jwt.example", Token));
        Assert.Equal([stored], (await Store.ListUsersAsync(0, 10, Token)).Items);
        Assert.Empty(await Store.ListKeysAsync(user.Id, Token));
    }

    [Fact]
    public async Task SetTier_ExistingUser_ReturnsAndStoresTheNewTier()
    {
        var user = User();
        await Store.TryCreateUserAsync(user, Key(user.Id).Key, Token);

        var updated = await Store.SetTierAsync(user.Id, "enterprise", Token);

        Assert.Equal(user with { Tier = "enterprise" }, updated);
        Assert.Equal(updated, await Store.GetUserAsync(user.Id, Token));
        Assert.Equal(user with { Tier = "enterprise" }, await Store.SetTierAsync(user.Id, "enterprise", Token));
    }

    [Fact]
    public async Task SetTier_NoSuchUser_ReturnsNull()
    {
        Assert.Null(await Store.SetTierAsync(Guid.CreateVersion7(), "pro", Token));
        Assert.Null(await Store.GetUserAsync(Guid.CreateVersion7(), Token));
    }

    [Fact]
    public async Task ListUsers_Pages_NewestFirstWithTheTotal()
    {
        var users = Enumerable.Range(0, 5).Select(_ => User()).ToList();
        foreach (var user in users.OrderBy(_ => Random.Shared.Next()))
        {
            await Store.TryCreateUserAsync(user, Key(user.Id).Key, Token);
        }

        var first = await Store.ListUsersAsync(0, 2, Token);
        var middle = await Store.ListUsersAsync(1, 3, Token);
        var past = await Store.ListUsersAsync(10, 2, Token);

        Assert.Equal([users[4], users[3]], first.Items);
        Assert.Equal([users[3], users[2], users[1]], middle.Items);
        Assert.Empty(past.Items);
        Assert.All([first, middle, past], page => Assert.Equal(5, page.Total));
    }

    [Fact]
    public async Task ListUsers_NoUsers_IsEmpty()
    {
        var page = await Store.ListUsersAsync(0, 10, Token);

        Assert.Empty(page.Items);
        Assert.Equal(0, page.Total);
    }

    [Fact]
    public async Task AddKey_ThenListKeys_NewestFirstWithRevokedOnes()
    {
        var user = User();
        var (first, _) = Key(user.Id);
        await Store.TryCreateUserAsync(user, first, Token);
        var (second, _) = Key(user.Id);
        var (third, _) = Key(user.Id, expiresAt: T0.AddDays(30));
        await Store.AddKeyAsync(second, Token);
        await Store.AddKeyAsync(third, Token);
        await Store.RevokeKeyAsync(user.Id, second.Id, T0.AddHours(1), Token);

        var keys = await Store.ListKeysAsync(user.Id, Token);

        Assert.Equal([third.Id, second.Id, first.Id], keys.Select(k => k.Id));
        AssertSameKey(third, keys[0]);
        AssertSameKey(second with { RevokedAt = T0.AddHours(1) }, keys[1]);
    }

    [Fact]
    public async Task TryAddKey_AtTheCap_RefusedUntilAKeyIsRevokedOrExpires()
    {
        var user = User();
        await Store.TryCreateUserAsync(user, Key(user.Id).Key, Token);
        var (expiring, _) = Key(user.Id, expiresAt: T0.AddHours(1));
        var (revocable, _) = Key(user.Id);
        Assert.True(await Store.TryAddKeyAsync(expiring, maxActiveKeys: 3, Token));
        Assert.True(await Store.TryAddKeyAsync(revocable, maxActiveKeys: 3, Token));

        var atCap = await Store.TryAddKeyAsync(Key(user.Id).Key, maxActiveKeys: 3, Token);
        var afterExpiry = await Store.TryAddKeyAsync(Key(user.Id).Key with { CreatedAt = T0.AddHours(2) }, 3, Token);
        var atCapAgain = await Store.TryAddKeyAsync(Key(user.Id).Key with { CreatedAt = T0.AddHours(2) }, 3, Token);
        await Store.RevokeKeyAsync(user.Id, revocable.Id, T0.AddHours(2), Token);
        var afterRevoke = await Store.TryAddKeyAsync(Key(user.Id).Key with { CreatedAt = T0.AddHours(3) }, 3, Token);

        Assert.Equal((false, true, false, true), (atCap, afterExpiry, atCapAgain, afterRevoke));
        Assert.Equal(5, (await Store.ListKeysAsync(user.Id, Token)).Count);
    }

    [Fact]
    public async Task TryAddKey_ManyAtOnce_NeverPassTheCap()
    {
        var user = User();
        await Store.TryCreateUserAsync(user, Key(user.Id).Key, Token);

        var added = await Task.WhenAll(Enumerable.Range(0, 12)
            .Select(_ => Task.Run(() => Store.TryAddKeyAsync(Key(user.Id).Key, maxActiveKeys: 4, Token), Token)));

        Assert.Equal(3, added.Count(a => a));
        Assert.Equal(4, (await Store.ListKeysAsync(user.Id, Token)).Count);
    }

    [Fact]
    public async Task AddKey_SecretAlreadyStored_IsRefusedAndChangesNothing()
    {
        var owner = User();
        var (key, _) = Key(owner.Id);
        await Store.TryCreateUserAsync(owner, key, Token);
        var other = User();
        await Store.TryCreateUserAsync(other, Key(other.Id).Key, Token);
        var copy = Key(other.Id).Key with { KeyHash = key.KeyHash };

        await Assert.ThrowsAnyAsync<Exception>(() => Store.AddKeyAsync(copy, Token));

        var found = await Store.FindActiveKeyAsync(key.KeyHash, T0, Token);
        Assert.NotNull(found);
        Assert.Equal(owner, found.Value.User);
        Assert.DoesNotContain(copy.Id, (await Store.ListKeysAsync(other.Id, Token)).Select(k => k.Id));
    }

    [Fact]
    public async Task RevokeKey_ActiveKey_StopsItWorkingAndKeepsTheFirstRevocationTime()
    {
        var user = User();
        var (key, _) = Key(user.Id);
        await Store.TryCreateUserAsync(user, key, Token);

        var revoked = await Store.RevokeKeyAsync(user.Id, key.Id, T0.AddMinutes(5), Token);
        var again = await Store.RevokeKeyAsync(user.Id, key.Id, T0.AddMinutes(9), Token);

        Assert.True(revoked);
        Assert.True(again);
        Assert.Null(await Store.FindActiveKeyAsync(key.KeyHash, T0.AddMinutes(10), Token));
        var stored = Assert.Single(await Store.ListKeysAsync(user.Id, Token));
        AssertSameKey(key with { RevokedAt = T0.AddMinutes(5) }, stored);
    }

    [Fact]
    public async Task RevokeKey_AnotherUsersOrUnknownKey_ReturnsFalseAndChangesNothing()
    {
        var owner = User();
        var (key, _) = Key(owner.Id);
        await Store.TryCreateUserAsync(owner, key, Token);
        var other = User();
        await Store.TryCreateUserAsync(other, Key(other.Id).Key, Token);

        Assert.False(await Store.RevokeKeyAsync(other.Id, key.Id, T0, Token));
        Assert.False(await Store.RevokeKeyAsync(owner.Id, Guid.CreateVersion7(), T0, Token));
        Assert.NotNull(await Store.FindActiveKeyAsync(key.KeyHash, T0, Token));
    }

    [Fact]
    public async Task RevokeAllKeys_RevokesTheActiveOnesAndKeepsEarlierRevocations()
    {
        var user = User();
        var (first, _) = Key(user.Id);
        await Store.TryCreateUserAsync(user, first, Token);
        var (second, _) = Key(user.Id);
        await Store.AddKeyAsync(second, Token);
        await Store.RevokeKeyAsync(user.Id, first.Id, T0.AddMinutes(1), Token);
        var bystander = User();
        var (bystanderKey, _) = Key(bystander.Id);
        await Store.TryCreateUserAsync(bystander, bystanderKey, Token);

        await Store.RevokeAllKeysAsync(user.Id, T0.AddMinutes(2), Token);

        var keys = await Store.ListKeysAsync(user.Id, Token);
        Assert.Equal([T0.AddMinutes(2), T0.AddMinutes(1)], keys.Select(k => k.RevokedAt));
        Assert.Null(await Store.FindActiveKeyAsync(second.KeyHash, T0.AddMinutes(3), Token));
        Assert.NotNull(await Store.FindActiveKeyAsync(bystanderKey.KeyHash, T0.AddMinutes(3), Token));
    }

    [Fact]
    public async Task FindActiveKey_ExpiringKey_WorksUntilItsExpiryOnly()
    {
        var user = User();
        var (key, _) = Key(user.Id, expiresAt: T0.AddHours(1));
        await Store.TryCreateUserAsync(user, key, Token);

        Assert.NotNull(await Store.FindActiveKeyAsync(key.KeyHash, T0.AddHours(1).AddTicks(-1), Token));
        Assert.Null(await Store.FindActiveKeyAsync(key.KeyHash, T0.AddHours(1), Token));
    }

    [Fact]
    public async Task FindActiveKey_UnknownOrMalformedHash_ReturnsNull()
    {
        var user = User();
        var (key, secret) = Key(user.Id);
        await Store.TryCreateUserAsync(user, key, Token);

        Assert.Null(await Store.FindActiveKeyAsync(Sha256([1, 2, 3]), T0, Token));
        Assert.Null(await Store.FindActiveKeyAsync(key.KeyHash.ToUpperInvariant(), T0, Token));
        Assert.Null(await Store.FindActiveKeyAsync(secret, T0, Token));
        Assert.Null(await Store.FindActiveKeyAsync("", T0, Token));
    }

    [Fact]
    public async Task RecordKeyUsage_Batch_SetsLastUseAndNeverMovesItBack()
    {
        var user = User();
        var (first, _) = Key(user.Id);
        await Store.TryCreateUserAsync(user, first, Token);
        var (second, _) = Key(user.Id);
        await Store.AddKeyAsync(second, Token);

        await Store.RecordKeyUsageAsync(
            [new(first.Id, T0.AddMinutes(3)), new(second.Id, T0.AddMinutes(4)), new(Guid.CreateVersion7(), T0)],
            Token);
        await Store.RecordKeyUsageAsync([new(first.Id, T0.AddMinutes(1)), new(second.Id, T0.AddMinutes(6))], Token);
        await Store.RecordKeyUsageAsync([], Token);

        var keys = await Store.ListKeysAsync(user.Id, Token);
        Assert.Equal([T0.AddMinutes(6), T0.AddMinutes(3)], keys.Select(k => k.LastUsedAt));
        AssertSameKey(first with { LastUsedAt = T0.AddMinutes(3) }, keys[1]);
    }

    [Fact]
    public async Task RecordKeyUsage_RevokedKey_StaysRevoked()
    {
        var user = User();
        var (key, _) = Key(user.Id);
        await Store.TryCreateUserAsync(user, key, Token);
        await Store.RevokeKeyAsync(user.Id, key.Id, T0.AddMinutes(1), Token);

        await Store.RecordKeyUsageAsync([new(key.Id, T0.AddMinutes(2))], Token);

        var stored = Assert.Single(await Store.ListKeysAsync(user.Id, Token));
        Assert.Equal(T0.AddMinutes(1), stored.RevokedAt);
        Assert.Equal(T0.AddMinutes(2), stored.LastUsedAt);
        Assert.Null(await Store.FindActiveKeyAsync(key.KeyHash, T0.AddMinutes(3), Token));
    }
}
