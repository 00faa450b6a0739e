namespace WasmWizard.Executor.Tests.Sandbox.Wasi;

/// <summary>
/// The sandbox's own <c>random_get</c> (which fills in steps and checks the run's deadline between them) against
/// Wasmtime's: the same probe must end the same way and report the same errnos, for good and faulty calls alike.
/// The bytes differ by nature; a probe reports only whether a filled word came back non-zero.
/// </summary>
public sealed class RandomGetDifferentialTests : IDisposable
{
    private const string Rec = "(call $rec (i64.ne (i64.load (i32.const 304)) (i64.const 0)))";

    private static readonly Dictionary<string, (string Body, int Pages)> Probes = new(StringComparer.Ordinal)
    {
        ["16 bytes"] = ($"(call $rec (call $random_get (i32.const 300) (i32.const 16))) {Rec}", 1),
        ["nothing at a wild pointer"] = ("(call $rec (call $random_get (i32.const -1) (i32.const 0)))", 1),
        ["nothing just past the end"] = ("(call $rec (call $random_get (i32.const 65536) (i32.const 0)))", 1),
        ["buffer running off the end"] = ("(call $rec (call $random_get (i32.const 65530) (i32.const 16)))", 1),
        ["buffer at a wild pointer"] = ("(call $rec (call $random_get (i32.const -16) (i32.const 16)))", 1),
        ["3 MiB and a bit, unaligned"] = (
            $"(call $rec (call $random_get (i32.const 301) (i32.const 3145739))) {Rec}", 64),
        ["64 MiB"] = ($"(call $rec (call $random_get (i32.const 300) (i32.const 67108864))) {Rec}", 1026),
        ["64 MiB and one byte"] = ("(call $rec (call $random_get (i32.const 300) (i32.const 67108865)))", 1026),
        ["4 GiB less one"] = ("(call $rec (call $random_get (i32.const 1) (i32.const -1)))", 1),
    };

    private readonly SandboxHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    public static TheoryData<string> ProbeNames => [.. Probes.Keys];

    [Theory]
    [MemberData(nameof(ProbeNames))]
    public async Task Probe_RunInSandbox_SeenAsUnderWasmtimeWasi(string name)
    {
        var (body, pages) = Probes[name];
        await WasiProbe.AssertSeenAsUnderWasmtimeAsync(_harness, body, pages, cap: 1024 * 1024);
    }
}
