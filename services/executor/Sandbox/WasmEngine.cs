using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Wasmtime;

namespace WasmWizard.Executor.Sandbox;

/// <summary>
/// The one Wasmtime engine of this process, its WASI linker and the epoch ticker that lets deadlines fire.
/// </summary>
public sealed class WasmEngine : IDisposable
{
    private readonly Thread _ticker;
    private readonly CancellationTokenSource _stopTicker = new();
    private readonly int _tickMs;

    /// <summary>Builds the engine from validated options and starts the ticker.</summary>
    public WasmEngine(IOptions<SandboxOptions> options, ILogger<WasmEngine> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        FuelEnabled = settings.EnableFuel;
        _tickMs = settings.EpochTickMs;

        using var config = new Config()
            .WithEpochInterruption(true)
            .WithFuelConsumption(settings.EnableFuel)
            .WithMaximumStackSize(settings.MaxWasmStackBytes)
            // Our feature set: everything a WASI command compiled by today's toolchains uses, and nothing that
            // changes the memory model (threads, memory64, multi-memory) or that we do not instrument (GC, EH).
            .WithWasmThreads(false)
            .WithMemory64(false)
            .WithMultiMemory(false)
            .WithGc(false)
            .WithFunctionReferences(false)
            .WithExceptions(false)
            .WithWideArithmetic(false)
            .WithComponentModel(false)
            .WithBulkMemory(true)
            .WithReferenceTypes(true)
            .WithMultiValue(true)
            .WithSIMD(true)
            .WithRelaxedSIMD(true, false)
            .WithTailCalls(true);

        if (settings.UsePoolingAllocator)
        {
            using var pooling = new PoolingAllocationConfig()
                .WithTotalComponentInstances(0)
                .WithMaxCoreInstances((uint)settings.MaxConcurrentRuns * (uint)settings.MaxInstances)
                .WithMaxMemories((uint)settings.MaxConcurrentRuns)
                .WithMaxTables((uint)(settings.MaxConcurrentRuns * settings.MaxTables))
                .WithMaxTablesPerModule((uint)settings.MaxTables)
                .WithMaxMemoriesPerModule(1)
                .WithMaxTableElements((nuint)settings.MaxTableElements)
                .WithMaxMemorySize((nuint)settings.MaxMemoryBytes);
            config.WithPoolingAllocationStrategy(pooling);
        }

        Engine = new Engine(config);
        Fingerprint = ComputeFingerprint(settings);

        Linker = new Linker(Engine);
        Linker.DefineWasi();
        Linker.AllowShadowing = true;
        WasiShims.Define(Linker);

        _ticker = new Thread(Tick) { IsBackground = true, Name = "wasm-epoch-ticker" };
        _ticker.Start();
        Log.EngineReady(logger, Fingerprint[..16], settings.EnableFuel, settings.UsePoolingAllocator);
    }

    /// <summary>The engine every module is compiled for.</summary>
    public Engine Engine { get; }

    /// <summary>WASI preview1 plus our shims; store-independent, so one linker serves every run.</summary>
    public Linker Linker { get; }

    /// <summary>Whether fuel is metered.</summary>
    public bool FuelEnabled { get; }

    /// <summary>
    /// Identifies the engine build and settings. A compiled artifact is only reused by an engine with the
    /// same fingerprint.
    /// </summary>
    public string Fingerprint { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        _stopTicker.Cancel();
        _ticker.Join(TimeSpan.FromSeconds(2));
        Linker.Dispose();
        Engine.Dispose();
        _stopTicker.Dispose();
    }

    private void Tick()
    {
        var token = _stopTicker.Token;
        while (!token.WaitHandle.WaitOne(_tickMs))
        {
            Engine.IncrementEpoch();
        }
    }

    private static string ComputeFingerprint(SandboxOptions settings)
    {
        var wasmtime = typeof(Engine).Assembly;
        var version = wasmtime.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? wasmtime.GetName().Version?.ToString() ?? "unknown";
        var description = string.Join(
            ';',
            "wasmtime=" + version,
            "arch=" + RuntimeInformation.ProcessArchitecture,
            "fuel=" + settings.EnableFuel,
            "stack=" + settings.MaxWasmStackBytes,
            "pooling=" + settings.UsePoolingAllocator,
            "features=simd,relaxed-simd,bulk-memory,reference-types,multi-value,tail-call",
            "instrumentation=" + CompiledModule.InstrumentationVersion);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(description)));
    }
}
