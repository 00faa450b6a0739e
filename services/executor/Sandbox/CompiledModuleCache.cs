using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WasmWizard.Executor.Sandbox.Instrumentation;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.IO;
using Wasmtime;

namespace WasmWizard.Executor.Sandbox;

/// <summary>
/// Compiles each distinct module once (keyed by its SHA-256 and the engine fingerprint), keeps recent ones in
/// memory and keeps artifacts on local disk so a restarted executor loads instead of recompiling. Only artifacts
/// this class wrote itself are ever deserialized; bytes from users always go through the compiler.
/// </summary>
internal sealed class CompiledModuleCache : IDisposable
{
    private readonly WasmEngine _engine;
    private readonly SandboxOptions _options;
    private readonly SandboxStatistics _statistics;
    private readonly SandboxMetrics _metrics;
    private readonly IsolatedCompiler _compiler;
    private readonly ILogger<CompiledModuleCache> _logger;
    private readonly SemaphoreSlim _compileSlots;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<CompiledModule>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<CompiledModule> _recency = new();
    private long _cachedBytes;
    private readonly ConcurrentDictionary<string, Lazy<Task<CompiledModule?>>> _inflight = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _compilesByTenant = new(StringComparer.Ordinal);
    private readonly int _tenantCompileShare;
    private readonly string _directory;

    public CompiledModuleCache(
        WasmEngine engine,
        IOptions<SandboxOptions> options,
        SandboxStatistics statistics,
        SandboxMetrics metrics,
        IsolatedCompiler compiler,
        ILogger<CompiledModuleCache> logger)
    {
        _compiler = compiler;
        _engine = engine;
        _options = options.Value;
        _statistics = statistics;
        _metrics = metrics;
        _logger = logger;
        _compileSlots = new SemaphoreSlim(_options.MaxConcurrentCompiles);
        _tenantCompileShare = Math.Max(1, _options.MaxConcurrentCompiles - 1);
        _directory = Path.GetFullPath(_options.CompiledCacheDirectory);
        PrivateFile.CreateDirectory(_directory);
    }

    public static string Sha256Of(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>
    /// Returns the compiled module for <paramref name="sha256"/>, from memory, from disk, or by compiling the
    /// bytes <paramref name="loadBytes"/> returns (null when they cannot be found). A compile counts against
    /// <paramref name="tenant"/>'s share of the compile slots (all but one); a tenant that holds it is refused at
    /// once with <see cref="ExecutorBusyException.TenantShareSpent"/>.
    /// </summary>
    public async Task<CompiledModule?> GetOrCompileAsync(
        string sha256,
        Func<CancellationToken, Task<byte[]?>> loadBytes,
        bool persist,
        string? tenant,
        CancellationToken cancellationToken)
    {
        if (TryGetFromMemory(sha256) is { } cached)
        {
            _statistics.HitMemory();
            return cached;
        }

        _statistics.Missed();
        if (_inflight.TryGetValue(sha256, out var running))
        {
            return await running.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        // Loading an artifact is cheap; a compile may hold a slot for the whole compile budget. The share is kept
        // until the compile ends, not until this caller stops waiting, so leaving early frees nothing to reuse.
        var share = tenant is not null && !File.Exists(ArtifactPath(sha256)) ? EnterCompileShare(tenant) : null;
        Lazy<Task<CompiledModule?>>? mine = null;
        mine = new Lazy<Task<CompiledModule?>>(() => Task.Run(
            async () =>
            {
                try
                {
                    return await LoadOrCompileAsync(sha256, loadBytes, persist).ConfigureAwait(false);
                }
                finally
                {
                    // Gone before anyone sees the result, so no later caller is handed a stale attempt; and only
                    // this attempt's own entry, never a newer one.
                    _inflight.TryRemove(KeyValuePair.Create(sha256, mine!));
                    share?.Dispose();
                }
            },
            CancellationToken.None));
        var attempt = _inflight.GetOrAdd(sha256, mine);
        if (!ReferenceEquals(attempt, mine))
        {
            // Another caller started the same compile in between: this one takes nothing of its own.
            share?.Dispose();
        }

        return await attempt.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Forgets a module: out of memory, and its artifact off the disk.</summary>
    public void Forget(string sha256)
    {
        // Only hashes name artifacts; anything else cannot be a file of ours.
        if (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigitLower))
        {
            return;
        }

        lock (_lock)
        {
            if (_entries.Remove(sha256, out var node))
            {
                _recency.Remove(node);
                _cachedBytes -= node.Value.ArtifactBytes;
            }
        }

        TryDelete(ArtifactPath(sha256));
    }

    /// <summary>
    /// Releases the modules kept in memory as the host stops, with the engine after it: each holds the engine's
    /// native memory (its pools and their guard pages) until released, and a process that starts hosts one after
    /// another (tests, an embedder) would otherwise keep every stopped host's engine mapped until a collection.
    /// </summary>
    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var module in _recency)
            {
                module.Module.Dispose();
            }

            _recency.Clear();
            _entries.Clear();
            _cachedBytes = 0;
        }

        _compileSlots.Dispose();
    }

    private CompileShare EnterCompileShare(string tenant)
    {
        lock (_compilesByTenant)
        {
            var held = _compilesByTenant.GetValueOrDefault(tenant);
            if (held >= _tenantCompileShare)
            {
                throw new ExecutorBusyException(
                    TimeSpan.FromSeconds(_options.BusyRetryAfterSeconds),
                    tenantShareSpent: true,
                    message: "This tenant is already compiling as many modules at once as one tenant may; "
                        + "retry when one of those compiles ends.");
            }

            _compilesByTenant[tenant] = held + 1;
        }

        return new CompileShare(this, tenant);
    }

    private void LeaveCompileShare(string tenant)
    {
        lock (_compilesByTenant)
        {
            var held = _compilesByTenant[tenant] - 1;
            if (held == 0)
            {
                _compilesByTenant.Remove(tenant);
            }
            else
            {
                _compilesByTenant[tenant] = held;
            }
        }
    }

    private async Task<CompiledModule?> LoadOrCompileAsync(
        string sha256, Func<CancellationToken, Task<byte[]?>> loadBytes, bool persist)
    {
        var loaded = LoadFromDisk(sha256) ?? await CompileAsync(sha256, loadBytes, persist).ConfigureAwait(false);
        if (loaded is not null)
        {
            Remember(loaded);
        }

        return loaded;
    }

    private CompiledModule? TryGetFromMemory(string sha256)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(sha256, out var node))
            {
                return null;
            }

            _recency.Remove(node);
            _recency.AddFirst(node);
            return node.Value;
        }
    }

    private void Remember(CompiledModule module)
    {
        lock (_lock)
        {
            if (_entries.ContainsKey(module.Sha256))
            {
                return;
            }

            _entries[module.Sha256] = _recency.AddFirst(module);
            _cachedBytes += module.ArtifactBytes;
            while ((_entries.Count > _options.MemoryCacheEntries || _cachedBytes > _options.MemoryCacheBytes)
                && _entries.Count > 1 && _recency.Last is { } oldest)
            {
                // No Dispose here: a run may still hold the module. Its handle is released once unreachable.
                _recency.RemoveLast();
                _entries.Remove(oldest.Value.Sha256);
                _cachedBytes -= oldest.Value.ArtifactBytes;
                _statistics.Evicted();
            }
        }
    }

    private string ArtifactPath(string sha256) => Path.Combine(_directory, $"{sha256}-{_engine.Fingerprint[..32]}.cwasm");

    private CompiledModule? LoadFromDisk(string sha256)
    {
        var path = ArtifactPath(sha256);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            // Read, not mapped: a mapped artifact that something truncates would crash the process (SIGBUS).
            var artifact = File.ReadAllBytes(path);
            var module = Module.Deserialize(_engine.Engine, sha256, artifact);
            _statistics.LoadedFromDisk();
            return Describe(sha256, module, artifact.Length);
        }
        catch (Exception e) when (e is WasmtimeException or IOException)
        {
            // An artifact from another build or a damaged file: drop it and compile again.
            Log.ArtifactDiscarded(_logger, sha256, e.Message);
            TryDelete(path);
            return null;
        }
    }

    private async Task<CompiledModule?> CompileAsync(
        string sha256, Func<CancellationToken, Task<byte[]?>> loadBytes, bool persist)
    {
        var bytes = await loadBytes(CancellationToken.None).ConfigureAwait(false);
        if (bytes is null)
        {
            return null;
        }

        if (Sha256Of(bytes) != sha256)
        {
            throw new InvalidOperationException($"The bytes stored for module {sha256} do not match its hash.");
        }

        // Cheap checks here; everything that costs real time or memory happens in the compiler process.
        Validate(sha256, bytes);

        if (!await _compileSlots.WaitAsync(TimeSpan.FromMilliseconds(_options.CompileTimeoutMs)).ConfigureAwait(false))
        {
            throw new ExecutorBusyException(
                TimeSpan.FromSeconds(_options.BusyRetryAfterSeconds),
                message: "Every compile slot stayed busy compiling other modules; retry shortly.");
        }

        var temporary = ArtifactPath(sha256) + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var started = Stopwatch.GetTimestamp();
        using var span = SandboxTelemetry.StartPhase(SandboxPhase.Compile, sha256);
        try
        {
            await _compiler.CompileAsync(bytes, temporary).ConfigureAwait(false);

            Module module;
            var artifact = await File.ReadAllBytesAsync(temporary).ConfigureAwait(false);
            try
            {
                module = Module.Deserialize(_engine.Engine, sha256, artifact);
            }
            catch (WasmtimeException e)
            {
                throw new ModuleRejectedException(
                    ModuleRejectionCodes.ExceedsLimits,
                    "The module needs more than this service allows: " + e.Message.Split('\n', 2)[0].Trim());
            }

            _statistics.Compiled();
            Log.ModuleCompiled(_logger, sha256, bytes.Length, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (persist)
            {
                Persist(sha256, temporary);
            }

            return Describe(sha256, module, artifact.Length);
        }
        catch (Exception e)
        {
            SandboxTelemetry.Failed(span, e);
            throw;
        }
        finally
        {
            // Refused and timed-out compiles took the compiler's time too.
            _metrics.PhaseFinished(SandboxPhase.Compile, started);
            _compileSlots.Release();
            TryDelete(temporary);
        }
    }

    private void Validate(string sha256, byte[] bytes)
    {
        var started = Stopwatch.GetTimestamp();
        using var span = SandboxTelemetry.StartPhase(SandboxPhase.Validate, sha256);
        try
        {
            ModuleValidator.CheckHeader(bytes, _options.MaxModuleBytes);
            ModuleValidator.Validate(_engine.Engine, bytes);
        }
        catch (Exception e)
        {
            SandboxTelemetry.Failed(span, e);
            throw;
        }
        finally
        {
            _metrics.PhaseFinished(SandboxPhase.Validate, started);
        }
    }

    private static CompiledModule Describe(string sha256, Module module, long artifactBytes)
    {
        var memory = module.Exports.OfType<MemoryExport>().First(m => m.Name == "memory");
        return new CompiledModule(
            sha256,
            module,
            memory.Minimum * Memory.PageSize,
            memory.Maximum ?? 65536,
            artifactBytes,
            tracksGrowFailures: module.Exports.Any(e => e.Name == ModuleInstrumenter.FlagExportName));
    }

    private void Persist(string sha256, string artifact)
    {
        try
        {
            File.Move(artifact, ArtifactPath(sha256), overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The module still runs from memory; only the restart shortcut is lost.
            Log.ArtifactNotPersisted(_logger, sha256, e.Message);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover file is retried or overwritten later.
        }
    }

    /// <summary>One compile counted against its tenant until disposed (once, whoever disposes it).</summary>
    private sealed class CompileShare(CompiledModuleCache cache, string tenant) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                cache.LeaveCompileShare(tenant);
            }
        }
    }
}
