using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WasmWizard.Executor.Sandbox;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Benchmarks;

/// <summary>
/// The service's sandbox (engine, compiled-module cache, guest threads) built through the same registration the
/// hosts use, on a private cache folder, with modules "uploaded" the way the api does it.
/// </summary>
public sealed class BenchSandbox : IDisposable, IModuleBytesSource
{
    private readonly ServiceProvider _services;
    private readonly Dictionary<string, byte[]> _stored = new(StringComparer.Ordinal);

    public BenchSandbox(bool pooling)
    {
        CacheDirectory = Directory.CreateTempSubdirectory("ww-bench-").FullName;
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Sandbox:CompiledCacheDirectory"] = CacheDirectory,
                ["Sandbox:UsePoolingAllocator"] = pooling ? "true" : "false",
            })
            .Build();
        _services = new ServiceCollection()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Warning))
            .AddWasmSandbox(configuration)
            .AddSingleton<IModuleBytesSource>(this)
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    /// <summary>Where the sandbox writes compiled artifacts.</summary>
    public string CacheDirectory { get; }

    public SandboxService Sandbox => _services.GetRequiredService<SandboxService>();

    /// <summary>What runs a guest on the calling thread; the sandbox hands it to a guest thread.</summary>
    internal GuestInvoker Invoker => _services.GetRequiredService<GuestInvoker>();

    /// <summary>The module as the sandbox keeps it in memory after an upload.</summary>
    internal CompiledModule Compiled(string sha256) =>
        _services.GetRequiredService<CompiledModuleCache>()
            .GetOrCompileAsync(sha256, token => GetModuleBytesAsync(sha256, token), persist: true, tenant: null, CancellationToken.None)
            .GetAwaiter().GetResult()
        ?? throw new InvalidOperationException($"Module {sha256} is not stored.");

    /// <summary>The service's engine: the baselines run on it, so both sides pay for the same configuration.</summary>
    public WasmEngine Engine => _services.GetRequiredService<WasmEngine>();

    /// <summary>The limits a run gets from the api's defaults (5 s, 128 MiB, no fuel budget).</summary>
    public static RunLimits DefaultLimits { get; } = new(5_000, 128L * 1024 * 1024, null);

    /// <summary>Uploads a module: validated, compiled and cached, with its bytes kept for the executor.</summary>
    public string Store(byte[] module)
    {
        var prepared = Sandbox.PrepareModuleAsync(module, null, CancellationToken.None).GetAwaiter().GetResult();
        _stored[prepared.Sha256] = module;
        return prepared.Sha256;
    }

    /// <summary>The artifact the cache wrote for <paramref name="sha256"/>.</summary>
    public string ArtifactPath(string sha256) =>
        Directory.GetFiles(CacheDirectory, sha256 + "-*.cwasm").Single();

    public Task<byte[]?> GetModuleBytesAsync(string sha256, CancellationToken cancellationToken) =>
        Task.FromResult(_stored.GetValueOrDefault(sha256));

    public void Dispose()
    {
        _services.Dispose();
        Directory.Delete(CacheDirectory, recursive: true);
    }
}
