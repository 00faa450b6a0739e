using System.Text;
using WasmWizard.Executor.Sandbox;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Dapr;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Executor.Tests.Hosting;

/// <summary>A smaller module limit than the default, so a refusal for size needs no 16 MiB upload.</summary>
public sealed class SmallModuleLimitFixture : ExecutorHostFixture
{
    public const int MaxModuleBytes = 6 * 1024 * 1024;

    protected override IDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Sandbox:MaxModuleBytes"] = MaxModuleBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>
/// The api's client for the distributed executor, through the api's and the executor's sidecars: what comes back is
/// what the in-process client of the embedded host gives, refusals included.
/// </summary>
public sealed class DaprExecutorClientTests(SmallModuleLimitFixture fixture) : IClassFixture<SmallModuleLimitFixture>
{
    private static readonly RunLimits Limits = new(5_000, 64L * 1024 * 1024, null);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private ExecutorHost Host => fixture.Host;

    [Fact]
    public async Task StoredModule_PreparedThenRunByHash_ReadsItsBytesFromTheStateStore()
    {
        var prepared = await Host.Client.PrepareModuleAsync(Modules.Echo, null, Token);
        await Host.StoreBytesAsync(prepared.Sha256, Modules.Echo);

        // Forgotten, the executor has nothing but the hash: the run must fetch the bytes and compile again.
        await Host.Client.ForgetModuleAsync(prepared.Sha256, Token);
        var result = await Host.Client.RunAsync(ByHash(prepared.Sha256, "abc"u8.ToArray()), Token);

        Assert.Equal(Modules.Sha256(Modules.Echo), prepared.Sha256);
        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(Modules.EchoGreeting + "abc", Encoding.UTF8.GetString(result.Stdout));
        Assert.Single(Host.Artifacts(prepared.Sha256));
    }

    [Fact]
    public async Task ModuleLargerThanADefaultSidecarBody_IsPreparedAndRunByHash()
    {
        var module = Modules.PaddedEcho(5 * 1024 * 1024);
        Assert.True(module.Length > 4 * 1024 * 1024);

        var prepared = await Host.Client.PrepareModuleAsync(module, null, Token);
        await Host.StoreBytesAsync(prepared.Sha256, module);
        await Host.Client.ForgetModuleAsync(prepared.Sha256, Token);
        var result = await Host.Client.RunAsync(ByHash(prepared.Sha256, "big"u8.ToArray()), Token);

        Assert.Equal(module.Length, prepared.SizeBytes);
        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(Modules.EchoGreeting + "big", Encoding.UTF8.GetString(result.Stdout));
    }

    [Fact]
    public async Task AdHocRun_ArgsEnvAndStdin_ComeBackAsTheGuestSawThem()
    {
        var module = Modules.ArgsAndEnv;
        var request = new RunRequest(
            Modules.Sha256(module), module, "p", "ignored"u8.ToArray(), ["-x"], [new("K", "V")], Limits, "t");

        var result = await Host.Client.RunAsync(request, Token);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal("p\0-x\0K=V\0", Encoding.UTF8.GetString(result.Stdout));
        Assert.False(result.StdoutTruncated);
    }

    public static TheoryData<string> Refusals { get; } =
        ["not wasm", "module too large", "stdin too large", "empty program name", "too many args", "bytes missing"];

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Refusal_IsTheExceptionTheInProcessExecutorThrows(string refusal)
    {
        using var embedded = new SandboxHarness(new Dictionary<string, string?>
        {
            ["Sandbox:MaxModuleBytes"] = SmallModuleLimitFixture.MaxModuleBytes.ToString(
                System.Globalization.CultureInfo.InvariantCulture),
        });
        Func<IExecutorCall, Task> call = refusal switch
        {
            "not wasm" => c => c.PrepareAsync("not a module"u8.ToArray()),
            "module too large" => c => c.PrepareAsync(Modules.PaddedEcho(SmallModuleLimitFixture.MaxModuleBytes + 1)),
            "stdin too large" => c => c.RunAsync(AdHoc(stdin: new byte[1024 * 1024 + 1])),
            "empty program name" => c => c.RunAsync(AdHoc() with { ProgramName = "" }),
            "too many args" => c => c.RunAsync(AdHoc() with { Args = [.. Enumerable.Repeat("a", 65)] }),
            _ => c => c.RunAsync(ByHash(Modules.Sha256(Encoding.ASCII.GetBytes(refusal)), [])),
        };

        var expected = await Record.ExceptionAsync(() => call(new EmbeddedCall(embedded.Sandbox)));
        var actual = await Record.ExceptionAsync(() => call(new DistributedCall(Host.Client)));

        Assert.NotNull(expected);
        Assert.NotNull(actual);
        Assert.Equal(expected.GetType(), actual.GetType());
        Assert.Equal(expected.Message, actual.Message);
        Assert.Equal(Code(expected), Code(actual));
        Assert.Equal(
            (expected as ModuleBytesMissingException)?.Sha256, (actual as ModuleBytesMissingException)?.Sha256);
    }

    [Fact]
    public async Task Busy_TenantOverItsShareAndEverySlotTaken_AreTheSameBusyRefusalsAsInProcess()
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var sleeper = Modules.Sleeper(20_000);
        RunRequest For(byte[] module, string tenant) => new(
            Modules.Sha256(module), module, "s.wasm", [], [], [], Limits with { TimeoutMs = 30_000 }, tenant);
        var quick = Modules.Echo;

        // Two slots (the fixture's MaxConcurrentRuns), one tenant's share is one.
        var first = Host.Client.RunAsync(For(sleeper, "a"), stop.Token);
        await Eventually.HoldsAsync(() => Host.FreeSlots == 1);
        var shareSpent = await Assert.ThrowsAsync<ExecutorBusyException>(
            () => Host.Client.RunAsync(For(quick, "a"), Token));
        var second = Host.Client.RunAsync(For(sleeper, "b"), stop.Token);
        await Eventually.HoldsAsync(() => Host.FreeSlots == 0);
        var allBusy = await Assert.ThrowsAsync<ExecutorBusyException>(
            () => Host.Client.RunAsync(For(quick, "c"), Token));
        await stop.CancelAsync();

        Assert.True(shareSpent.TenantShareSpent);
        Assert.Equal(TimeSpan.FromSeconds(1), shareSpent.RetryAfter);
        Assert.False(allBusy.TenantShareSpent);
        Assert.Equal(TimeSpan.FromSeconds(1), allBusy.RetryAfter);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second);

        // A caller that leaves stops its guest: the slots come back long before the guests' 20 s sleep ends.
        await Eventually.HoldsAsync(() => Host.FreeSlots == 2);
    }

    [Fact]
    public async Task StateStoreDownWhileFetchingBytes_IsDependencyUnavailableNamingTheStateStore()
    {
        var module = Modules.Sleeper(1);
        var sha = Modules.Sha256(module);
        await Host.StoreBytesAsync(sha, module);
        Host.ExecutorSidecar.Faults.StateUnavailable = true;
        try
        {
            var e = await Assert.ThrowsAsync<DependencyUnavailableException>(
                () => Host.Client.RunAsync(ByHash(sha, []), Token));

            Assert.Equal("state store", e.Dependency);
        }
        finally
        {
            Host.ExecutorSidecar.Faults.StateUnavailable = false;
        }
    }

    [Fact]
    public async Task RunLongerThanTheClientTimeout_StillCompletes_BecauseTheRunsOwnDeadlineIsAdded()
    {
        using var client = Host.CreateClient(new ExecutorClientOptions { TimeoutSeconds = 1 });
        var module = Modules.Sleeper(1_500);

        var result = await client.RunAsync(
            new RunRequest(Modules.Sha256(module), module, "s.wasm", [], [], [], Limits with { TimeoutMs = 10_000 }),
            Token);

        Assert.True(result.Succeeded, result.Message);
    }

    [Fact]
    public async Task Forget_NotAHash_IsANoOpAsInProcess()
    {
        await Host.Client.ForgetModuleAsync("../../etc/passwd", Token);
        await Host.Client.ForgetModuleAsync(new string('a', 64), Token);
    }

    private static RunRequest ByHash(string sha256, byte[] stdin) =>
        new(sha256, null, "stored.wasm", stdin, [], [], Limits);

    private static RunRequest AdHoc(byte[]? stdin = null) =>
        new(Modules.Sha256(Modules.Echo), Modules.Echo, "echo.wasm", stdin ?? [], [], [], Limits);

    private static string? Code(Exception e) => e switch
    {
        ModuleRejectedException m => m.Code,
        RunRequestRejectedException r => r.Code,
        _ => null,
    };

    /// <summary>One operation of <see cref="Shared.Ports.IExecutorClient"/>, against either executor.</summary>
    private interface IExecutorCall
    {
        Task PrepareAsync(byte[] module);

        Task RunAsync(RunRequest request);
    }

    private sealed class EmbeddedCall(SandboxService sandbox) : IExecutorCall
    {
        public Task PrepareAsync(byte[] module) => sandbox.PrepareModuleAsync(module, null, Token);

        public Task RunAsync(RunRequest request) => sandbox.RunAsync(request, Token);
    }

    private sealed class DistributedCall(DaprExecutorClient client) : IExecutorCall
    {
        public Task PrepareAsync(byte[] module) => client.PrepareModuleAsync(module, null, Token);

        public Task RunAsync(RunRequest request) => client.RunAsync(request, Token);
    }
}
