using System.Text.Json;
using WasmWizard.Shared.Contracts;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Executor.Tests.Sandbox.Wasi;

/// <summary>
/// Every deterministic case of the team's corpus of real WASI commands (Rust, C, TinyGo, Zig, AssemblyScript, ...)
/// through the sandbox and through Wasmtime's own WASI: same outcome, same stdout, and the same stderr where the
/// manifest expects an exact stderr (elsewhere it may carry timings).
/// </summary>
public sealed class CorpusOutputTests : IDisposable
{
    private const string Absent = "(corpus absent: set WASMWIZARD_CORPUS or put it at ../shared/corpus)";
    private const int Cap = 1024 * 1024;

    private readonly SandboxHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    // Cases whose output varies from run to run, that run into their time limit, or that cannot run at all.
    public static TheoryData<string> Cases => CorpusLocation.Directory is null
        ? [Absent]
        : [.. Manifest()
            .Where(c => c.GetProperty("expect").GetProperty("outcome").GetString() is "exit" or "trap")
            .Where(c => !c.GetProperty("tags").EnumerateArray().Any(t => t.GetString() is "nondeterministic" or "timeout"))
            .Select(c => c.GetProperty("name").GetString()!)];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Case_RunInSandbox_WritesWhatWasmtimeWasiWrites(string name)
    {
        if (name == Absent)
        {
            Assert.Skip(CorpusLocation.MissingReason);
        }

        var spec = Manifest().Single(c => c.GetProperty("name").GetString() == name);
        var token = TestContext.Current.CancellationToken;
        var wasm = await File.ReadAllBytesAsync(
            Path.Combine(CorpusLocation.Directory!, spec.GetProperty("file").GetString()!), token);
        var argv0 = spec.GetProperty("argv0").GetString()!;
        string[] args = [.. spec.GetProperty("args").EnumerateArray().Select(a => a.GetString()!)];
        KeyValuePair<string, string>[] env =
            [.. spec.GetProperty("env").EnumerateObject().Select(v => KeyValuePair.Create(v.Name, v.Value.GetString()!))];
        var stdin = spec.GetProperty("stdin").GetString() is { } input
            ? await File.ReadAllBytesAsync(Path.Combine(CorpusLocation.Directory!, input), token)
            : [];
        var memoryLimit = spec.TryGetProperty("limits", out var limits) && limits.ValueKind == JsonValueKind.Object
            && limits.TryGetProperty("memory_mb", out var mb) ? mb.GetInt64() * 1024 * 1024 : 512L * 1024 * 1024;

        var wasmtime = PlainWasi.Run(wasm, [argv0, .. args], env, stdin, memoryLimit).Capped(Cap);
        var sandbox = GuestObservation.Of(await _harness.RunBytesAsync(
            wasm, new RunLimits(10_000, memoryLimit, null), stdin, args, env, argv0));
        if (!spec.GetProperty("expect").TryGetProperty("stderr", out _))
        {
            wasmtime = wasmtime with { Stderr = [] };
            sandbox = sandbox with { Stderr = [] };
        }

        Assert.Equal(wasmtime.ToString(), sandbox.ToString());
        Assert.Equal(wasmtime.Stdout, sandbox.Stdout);
        Assert.Equal(wasmtime.Stderr, sandbox.Stderr);
    }

    private static JsonElement[] Manifest()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(CorpusLocation.Directory!, "manifest.json")));
        return [.. document.RootElement.EnumerateArray().Select(e => e.Clone())];
    }
}
