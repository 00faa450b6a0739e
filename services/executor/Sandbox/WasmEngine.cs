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

        using var config = EngineConfiguration.Create(settings, settings.MaxConcurrentRuns);
        Engine = new Engine(config);
        Fingerprint = EngineConfiguration.Fingerprint(settings);

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
}
