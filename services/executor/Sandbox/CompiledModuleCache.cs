using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Wasmtime;
using WasmWizard.Executor.Sandbox.Instrumentation;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.IO;

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
    private readonly ILogger<CompiledModuleCache> _logger;
    private readonly SemaphoreSlim _compileSlots;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<CompiledModule>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<CompiledModule> _recency = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<CompiledModule?>>> _inflight = new(StringComparer.Ordinal);
    private readonly string _directory;

    public CompiledModuleCache(
        WasmEngine engine,
        IOptions<SandboxOptions> options,
        SandboxStatistics statistics,
        ILogger<CompiledModuleCache> logger)
    {
        _engine = engine;
        _options = options.Value;
        _statistics = statistics;
        _logger = logger;
        _compileSlots = new SemaphoreSlim(_options.MaxConcurrentCompiles);
        _directory = Path.GetFullPath(_options.CompiledCacheDirectory);
        Directory.CreateDirectory(_directory);
    }

    public static string Sha256Of(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>
    /// Returns the compiled module for <paramref name="sha256"/>, from memory, from disk, or by compiling the
    /// bytes <paramref name="loadBytes"/> returns (null when they cannot be found).
    /// </summary>
    public async Task<CompiledModule?> GetOrCompileAsync(
        string sha256,
        Func<CancellationToken, Task<byte[]?>> loadBytes,
        bool persist,
        CancellationToken cancellationToken)
    {
        if (TryGetFromMemory(sha256) is { } cached)
        {
            _statistics.HitMemory();
            return cached;
        }

        var mine = new Lazy<Task<CompiledModule?>>(
            () => Task.Run(() => LoadOrCompileAsync(sha256, loadBytes, persist), CancellationToken.None));
        var shared = _inflight.GetOrAdd(sha256, mine);
        var task = shared.Value;
        if (ReferenceEquals(shared, mine))
        {
            // Only the creator removes the entry, and only its own: a newer attempt is left alone.
            _ = task.ContinueWith(
                _ => _inflight.TryRemove(KeyValuePair.Create(sha256, mine)),
                CancellationToken.None,
                TaskContinuationOptions.None,
                TaskScheduler.Default);
        }

        return await task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _compileSlots.Dispose();

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
            while (_entries.Count > _options.MemoryCacheEntries && _recency.Last is { } oldest)
            {
                // No Dispose here: a run may still hold the module. Its handle is released once unreachable.
                _recency.RemoveLast();
                _entries.Remove(oldest.Value.Sha256);
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
            var module = Module.DeserializeFile(_engine.Engine, sha256, path);
            _statistics.LoadedFromDisk();
            return Describe(sha256, module);
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

        ModuleValidator.CheckHeader(bytes, _options.MaxModuleBytes);
        ModuleValidator.Validate(_engine.Engine, bytes);

        await _compileSlots.WaitAsync().ConfigureAwait(false);
        var compile = Task.Factory.StartNew(
            () => CompileNow(sha256, bytes),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        _ = compile.ContinueWith(_ => _compileSlots.Release(), TaskScheduler.Default);

        CompiledModule compiled;
        try
        {
            compiled = await compile.WaitAsync(TimeSpan.FromMilliseconds(_options.CompileTimeoutMs)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The compiler cannot be interrupted; it finishes in the background, holding its slot, and is dropped.
            _ = compile.ContinueWith(t => t.Result.Module.Dispose(), TaskContinuationOptions.OnlyOnRanToCompletion);
            throw new ModuleRejectedException(
                ModuleRejectionCodes.CompileTimeout,
                $"Compiling the module took longer than {_options.CompileTimeoutMs} ms.");
        }

        if (persist)
        {
            Persist(sha256, compiled.Module);
        }

        return compiled;
    }

    private CompiledModule CompileNow(string sha256, byte[] bytes)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var toCompile = bytes;
        try
        {
            toCompile = MemoryGrowInstrumenter.Instrument(bytes) ?? bytes;
        }
        catch (WasmInstrumentationException e)
        {
            // The module is valid (Wasmtime said so) but uses something the rewriter does not know. It still runs;
            // only a refused memory.grow will show as the failure it caused instead of memory_limit.
            Log.NotInstrumented(_logger, sha256, e.Message);
        }

        Module module;
        try
        {
            module = Module.FromBytes(_engine.Engine, sha256, toCompile);
        }
        catch (WasmtimeException e)
        {
            // The bytes validated, so what is left is the engine's own limits (the pooling allocator's slots).
            throw new ModuleRejectedException(
                ModuleRejectionCodes.ExceedsLimits,
                "The module needs more than this service allows: " + e.Message.Split('\n', 2)[0].Trim());
        }

        try
        {
            ModuleValidator.CheckInterface(module);
        }
        catch
        {
            module.Dispose();
            throw;
        }

        _statistics.Compiled();
        Log.ModuleCompiled(
            _logger, sha256, bytes.Length, (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return Describe(sha256, module);
    }

    private static CompiledModule Describe(string sha256, Module module)
    {
        var memory = module.Exports.OfType<MemoryExport>().First(m => m.Name == "memory");
        return new CompiledModule(
            sha256,
            module,
            memory.Minimum * Memory.PageSize,
            memory.Maximum ?? 65536,
            tracksGrowFailures: module.Exports.Any(e => e.Name == MemoryGrowInstrumenter.FlagExportName));
    }

    private void Persist(string sha256, Module module)
    {
        var path = ArtifactPath(sha256);
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            var artifact = module.Serialize();
            using (var stream = PrivateFile.CreateNew(temporary))
            {
                stream.Write(artifact);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or WasmtimeException)
        {
            // The module still runs from memory; only the restart shortcut is lost.
            Log.ArtifactNotPersisted(_logger, sha256, e.Message);
            TryDelete(temporary);
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
}
