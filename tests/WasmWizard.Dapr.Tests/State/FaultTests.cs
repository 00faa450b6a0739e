using WasmWizard.Shared.Contracts;
using static WasmWizard.Dapr.Tests.Infrastructure.TestData;

namespace WasmWizard.Dapr.Tests.State;

/// <summary>A sidecar or store that does not answer becomes <see cref="DependencyUnavailableException"/>.</summary>
public sealed class FaultTests : DaprStoreFixture
{
    public static TheoryData<string> Calls =>
        ["find key", "create user", "list users", "add module", "get bytes", "add run"];

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task Call_StateStoreUnavailable_ThrowsDependencyUnavailable(string call)
    {
        Dapr.Api.Faults.StateUnavailable = true;

        var error = await Assert.ThrowsAsync<DependencyUnavailableException>(() => CallAsync(call));

        Assert.Equal("state store", error.Dependency);
        Assert.True(error.RetryAfter > TimeSpan.Zero);
        Assert.NotNull(error.InnerException);
    }

    [Fact]
    public async Task Call_SidecarNotReady_ThrowsDependencyUnavailable()
    {
        Dapr.Api.IsReady = false;

        await Assert.ThrowsAsync<DependencyUnavailableException>(() => CallAsync("find key"));
    }

    [Fact]
    public async Task Call_SidecarGone_ThrowsDependencyUnavailable()
    {
        await Dapr.Api.DisposeAsync();

        await Assert.ThrowsAsync<DependencyUnavailableException>(() => CallAsync("create user"));
    }

    [Fact]
    public async Task Call_OneFailedCall_NextCallSucceedsAndNothingHalfWritten()
    {
        var user = User();
        Dapr.Api.Faults.FailNextStateCalls(1);

        await Assert.ThrowsAsync<DependencyUnavailableException>(
            () => Dapr.Identities.TryCreateUserAsync(user, Key(user.Id).Key, Token));
        Assert.Empty(Dapr.State.Entries);
        var created = await Dapr.Identities.TryCreateUserAsync(user, Key(user.Id).Key, Token);

        Assert.True(created);
        Assert.Equal(user, await Dapr.Identities.GetUserAsync(user.Id, Token));
    }

    private Task CallAsync(string call)
    {
        var user = User();
        var bytes = Bytes(1);
        return call switch
        {
            "find key" => Dapr.Identities.FindActiveKeyAsync(Key(user.Id).Key.KeyHash, T0, Token),
            "create user" => Dapr.Identities.TryCreateUserAsync(user, Key(user.Id).Key, Token),
            "list users" => Dapr.Identities.ListUsersAsync(0, 10, Token),
            "add module" => Dapr.Modules.AddAsync(Module(user.Id, bytes), bytes, Token),
            "get bytes" => Dapr.Modules.GetBytesAsync(Sha256(bytes), Token),
            "add run" => Dapr.Executions.AddAsync(Execution(user.Id, Module(user.Id, bytes)), Token),
            _ => throw new ArgumentOutOfRangeException(nameof(call)),
        };
    }
}
