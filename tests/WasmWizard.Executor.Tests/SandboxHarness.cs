using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WasmWizard.Executor.Sandbox;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Ports;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Executor.Tests;

/// <summary>A real sandbox (engine, cache, guest threads) on a private folder, built the way hosts build it.</summary>
public sealed class SandboxHarness : IDisposable, IModuleBytesSource
{
    private readonly ServiceProvider _services;
    private readonly Dictionary<string, byte[]> _stored = new(StringComparer.Ordinal);

    public SandboxHarness(IDictionary<string, string?>? settings = null, string? cacheDirectory = null)
    {
        CacheDirectory = cacheDirectory ?? Directory.CreateTempSubdirectory("ww-sandbox-").FullName;
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Sandbox:CompiledCacheDirectory"] = CacheDirectory,
                ["Sandbox:MaxConcurrentRuns"] = "4",
            })
            .AddInMemoryCollection(settings ?? new Dictionary<string, string?>())
            .Build();
        _services = new ServiceCollection()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Warning))
            .AddWasmSandbox(configuration)
            .AddSingleton<IModuleBytesSource>(this)
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    public string CacheDirectory { get; }

    public SandboxService Sandbox => _services.GetRequiredService<SandboxService>();

    public SandboxStatistics Statistics => _services.GetRequiredService<SandboxStatistics>();

    internal int FreeSlots => _services.GetRequiredService<GuestThreadPool>().FreeSlots;

    /// <summary>The factory of this sandbox's meters, which tells its instruments apart from other harnesses'.</summary>
    internal IMeterFactory Meters => _services.GetRequiredService<IMeterFactory>();

    public static RunLimits DefaultLimits { get; } = new(5_000, 128L * 1024 * 1024, null);

    /// <summary>Uploads a module the way the api does: prepare it, then keep its bytes for the executor.</summary>
    public async Task<string> StoreAsync(byte[] module)
    {
        var prepared = await Sandbox.PrepareModuleAsync(module, null, TestContext.Current.CancellationToken);
        _stored[prepared.Sha256] = module;
        return prepared.Sha256;
    }

    public Task<RunResult> RunWatAsync(
        string wat,
        RunLimits? limits = null,
        byte[]? stdin = null,
        IReadOnlyList<string>? args = null,
        IReadOnlyList<KeyValuePair<string, string>>? env = null,
        string programName = "test.wasm") =>
        RunBytesAsync(Wat.Compile(wat), limits, stdin, args, env, programName);

    public Task<RunResult> RunBytesAsync(
        byte[] module,
        RunLimits? limits = null,
        byte[]? stdin = null,
        IReadOnlyList<string>? args = null,
        IReadOnlyList<KeyValuePair<string, string>>? env = null,
        string programName = "test.wasm") =>
        Sandbox.RunAsync(
            new RunRequest(
                CompiledModuleCache.Sha256Of(module),
                module,
                programName,
                stdin ?? [],
                args ?? [],
                env ?? [],
                limits ?? DefaultLimits),
            TestContext.Current.CancellationToken);

    public Task<byte[]?> GetModuleBytesAsync(string sha256, CancellationToken cancellationToken) =>
        Task.FromResult(_stored.GetValueOrDefault(sha256));

    public void Dispose() => _services.Dispose();
}
