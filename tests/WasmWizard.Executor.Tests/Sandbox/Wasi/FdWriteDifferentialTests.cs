using WasmWizard.Shared.Contracts;

namespace WasmWizard.Executor.Tests.Sandbox.Wasi;

/// <summary>
/// The sandbox's own <c>fd_write</c> against Wasmtime's WASI: the same probe, run both ways, must end the same way
/// and leave the same bytes on stdout and stderr (up to the sandbox's 1 MiB cap), for well-formed and faulty calls
/// alike. The neighbouring calls a guest may make on fds 1 and 2 are here too, to show they still answer as before.
/// </summary>
public sealed class FdWriteDifferentialTests : IDisposable
{
    private const int Cap = 1024 * 1024;
    private const string Rec = "(call $rec (i32.load (i32.const 16)))";

    private static readonly Dictionary<string, (string Body, int Pages)> Probes = new(StringComparer.Ordinal)
    {
        ["stdout"] = ($"(call $rec (call $write (i32.const 1) (i32.const 200) (i32.const 6))) {Rec}", 1),
        ["stderr"] = ($"(call $rec (call $write (i32.const 2) (i32.const 200) (i32.const 6))) {Rec}", 1),
        ["fd 0 (stdin)"] = ($"(call $rec (call $write (i32.const 0) (i32.const 200) (i32.const 3))) {Rec}", 1),
        ["fd 3"] = ($"(call $rec (call $write (i32.const 3) (i32.const 200) (i32.const 3))) {Rec}", 1),
        ["large fds"] = ($"""
            (call $rec (call $write (i32.const 1000000) (i32.const 200) (i32.const 3))) {Rec}
            (call $rec (call $write (i32.const -1) (i32.const 200) (i32.const 3))) {Rec}
            """, 1),
        ["zero iovecs"] = ($"""
            (i32.store (i32.const 16) (i32.const 77))
            (call $rec (call $fd_write (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 16))) {Rec}
            """, 1),
        ["zero iovecs, array out of bounds"] = ($"""
            (i32.store (i32.const 16) (i32.const 77))
            (call $rec (call $fd_write (i32.const 1) (i32.const 70000) (i32.const 0) (i32.const 16))) {Rec}
            """, 1),
        ["zero iovecs to fd 0"] = ($"""
            (i32.store (i32.const 16) (i32.const 77))
            (call $rec (call $fd_write (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 16))) {Rec}
            """, 1),
        ["zero-length iovecs around two others"] = ($"""
            (call $iov (i32.const 0) (i32.const 200) (i32.const 0))
            (call $iov (i32.const 8) (i32.const 203) (i32.const 3))
            (call $iov (i32.const 24) (i32.const 210) (i32.const 2))
            (call $iov (i32.const 32) (i32.const 200) (i32.const 0))
            (call $rec (call $fd_write (i32.const 1) (i32.const 0) (i32.const 3) (i32.const 16))) {Rec}
            """, 1),
        ["only zero-length iovecs"] = ($"""
            (call $iov (i32.const 0) (i32.const 200) (i32.const 0))
            (call $iov (i32.const 8) (i32.const 203) (i32.const 0))
            (i32.store (i32.const 16) (i32.const 77))
            (call $rec (call $fd_write (i32.const 1) (i32.const 0) (i32.const 2) (i32.const 16))) {Rec}
            """, 1),
        ["zero-length iovec with a wild pointer"] = ($"""
            (call $iov (i32.const 0) (i32.const -8) (i32.const 0))
            (call $iov (i32.const 8) (i32.const 200) (i32.const 3))
            (call $rec (call $fd_write (i32.const 1) (i32.const 0) (i32.const 2) (i32.const 16))) {Rec}
            """, 1),
        ["second iovec out of bounds"] = ($"""
            (call $iov (i32.const 0) (i32.const 200) (i32.const 3))
            (call $iov (i32.const 8) (i32.const 65530) (i32.const 20))
            (call $rec (call $fd_write (i32.const 1) (i32.const 0) (i32.const 2) (i32.const 16))) {Rec}
            """, 1),
        ["iovec array running off the end after a non-empty one"] = ($"""
            (call $iov (i32.const 65528) (i32.const 200) (i32.const 3))
            (call $rec (call $fd_write (i32.const 1) (i32.const 65528) (i32.const 2) (i32.const 16))) {Rec}
            """, 1),
        ["iovec array out of bounds"] = (
            "(call $rec (call $fd_write (i32.const 1) (i32.const 65532) (i32.const 1) (i32.const 16)))", 1),
        ["iovec array out of bounds, fd 3"] = (
            "(call $rec (call $fd_write (i32.const 3) (i32.const 65532) (i32.const 1) (i32.const 16)))", 1),
        ["iovec array out of bounds after zero-length ones"] = ("""
            (call $iov (i32.const 65528) (i32.const 200) (i32.const 0))
            (call $rec (call $fd_write (i32.const 1) (i32.const 65528) (i32.const 2) (i32.const 16)))
            """, 1),
        ["a thousand empty iovecs, then one"] = ($"""
            (call $iov (i32.const 73536) (i32.const 200) (i32.const 5))
            (call $rec (call $fd_write (i32.const 1) (i32.const 65536) (i32.const 1001) (i32.const 16))) {Rec}
            """, 2),
        ["a thousand empty iovecs running off the end"] = (
            "(call $rec (call $fd_write (i32.const 1) (i32.const 130000) (i32.const 1000) (i32.const 16)))", 2),
        ["iovec array misaligned"] = ("""
            (call $iov (i32.const 2) (i32.const 200) (i32.const 3))
            (call $rec (call $fd_write (i32.const 1) (i32.const 2) (i32.const 1) (i32.const 16)))
            """, 1),
        ["iovec array 4-byte aligned"] = ($"""
            (call $iov (i32.const 4) (i32.const 200) (i32.const 3))
            (call $rec (call $fd_write (i32.const 1) (i32.const 4) (i32.const 1) (i32.const 16))) {Rec}
            """, 1),
        ["buffer out of bounds"] = ("(call $rec (call $write (i32.const 1) (i32.const 65000) (i32.const 10000)))", 1),
        ["buffer ending exactly at the end of memory"] = (
            $"(call $rec (call $write (i32.const 1) (i32.const 65530) (i32.const 6))) {Rec}", 1),
        ["buffer wrapping past 4 GiB"] = ("(call $rec (call $write (i32.const 1) (i32.const -16) (i32.const 32)))", 1),
        ["buffer out of bounds, fd 0"] = (
            $"(call $rec (call $write (i32.const 0) (i32.const 65000) (i32.const 10000))) {Rec}", 1),
        ["buffer out of bounds, fd 3"] = (
            $"(call $rec (call $write (i32.const 3) (i32.const 65000) (i32.const 10000))) {Rec}", 1),
        ["nwritten out of bounds"] = ("""
            (call $iov (i32.const 0) (i32.const 200) (i32.const 3))
            (call $rec (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 65534)))
            """, 1),
        ["nwritten misaligned"] = ("""
            (call $iov (i32.const 0) (i32.const 200) (i32.const 3))
            (call $rec (call $fd_write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 17)))
            """, 1),
        ["nwritten out of bounds, zero iovecs"] = (
            "(call $rec (call $fd_write (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 65534)))", 1),
        ["nwritten out of bounds, fd 3"] = ("""
            (call $iov (i32.const 0) (i32.const 200) (i32.const 3))
            (call $rec (call $fd_write (i32.const 3) (i32.const 0) (i32.const 1) (i32.const 65534)))
            """, 1),
        ["buffer of 128 MiB less one iovec: checked, out of bounds"] = (
            "(call $rec (call $write (i32.const 1) (i32.const 0) (i32.const 134217720)))", 1),
        ["buffer one byte more: NOMEM before any check"] = (
            $"(call $rec (call $write (i32.const 1) (i32.const 0) (i32.const 134217721))) {Rec}", 1),
        ["buffer of 4 GiB less one"] = ($"(call $rec (call $write (i32.const 1) (i32.const 1) (i32.const -1))) {Rec}", 1),
        ["buffer too large, fd 3"] = ($"(call $rec (call $write (i32.const 3) (i32.const 0) (i32.const 268435456))) {Rec}", 1),
        ["2^24 iovecs and a buffer"] = ($"""
            (call $iov (i32.const 0) (i32.const 200) (i32.const 3))
            (call $rec (call $fd_write (i32.const 1) (i32.const 0) (i32.const 16777216) (i32.const 16))) {Rec}
            """, 1),
        ["2^24 - 1 iovecs and a buffer"] = ($"""
            (call $iov (i32.const 0) (i32.const 200) (i32.const 3))
            (call $rec (call $fd_write (i32.const 1) (i32.const 0) (i32.const 16777215) (i32.const 16))) {Rec}
            """, 1),
        ["2^24 iovecs, misaligned"] = (
            "(call $rec (call $fd_write (i32.const 1) (i32.const 2) (i32.const 16777216) (i32.const 16)))", 1),
        ["4 Gi iovecs"] = ($"""
            (call $iov (i32.const 0) (i32.const 200) (i32.const 3))
            (call $rec (call $fd_write (i32.const 1) (i32.const 2) (i32.const -1) (i32.const 16))) {Rec}
            """, 1),
        ["16 MiB in one write, past the cap"] = (
            $"(call $rec (call $write (i32.const 1) (i32.const 0) (i32.const 16777216))) {Rec}", 257),
        ["three 64 MiB writes: the budget is per call"] = ($"""
            (call $rec (call $write (i32.const 2) (i32.const 0) (i32.const 67108864))) {Rec}
            (call $rec (call $write (i32.const 2) (i32.const 0) (i32.const 67108864))) {Rec}
            (call $rec (call $write (i32.const 1) (i32.const 0) (i32.const 67108864))) {Rec}
            """, 1025),
        ["fd_pwrite to 1 and 2"] = ($"""
            (call $iov (i32.const 0) (i32.const 200) (i32.const 3))
            (i32.store (i32.const 16) (i32.const 77))
            (call $rec (call $fd_pwrite (i32.const 1) (i32.const 0) (i32.const 1) (i64.const 0) (i32.const 16))) {Rec}
            (call $rec (call $fd_pwrite (i32.const 2) (i32.const 0) (i32.const 1) (i64.const 0) (i32.const 16))) {Rec}
            """, 1),
        ["fd_seek, fd_tell and fd_fdstat_get on 1 and 2"] = ("""
            (call $rec (call $fd_seek (i32.const 1) (i64.const 0) (i32.const 1) (i32.const 96)))
            (call $rec (call $fd_tell (i32.const 2) (i32.const 96)))
            (call $rec (call $fd_fdstat_get (i32.const 1) (i32.const 96)))
            (call $rec (i32.load8_u (i32.const 96)))
            (call $rec (i32.load16_u (i32.const 98)))
            (call $rec (i32.load (i32.const 104)))
            (call $rec (call $fd_fdstat_get (i32.const 2) (i32.const 96)))
            (call $rec (i32.load (i32.const 104)))
            """, 1),
        ["fd_close and fd_renumber of fds that do not exist leave 1 alone"] = ($"""
            (call $rec (call $fd_close (i32.const 3)))
            (call $rec (call $fd_renumber (i32.const 3) (i32.const 1)))
            (call $rec (call $fd_renumber (i32.const 1) (i32.const 5)))
            (call $rec (call $write (i32.const 1) (i32.const 200) (i32.const 3))) {Rec}
            """, 1),
        ["fd_renumber of 1 onto itself"] = ($"""
            (call $rec (call $fd_renumber (i32.const 1) (i32.const 1)))
            (call $rec (call $write (i32.const 1) (i32.const 200) (i32.const 3))) {Rec}
            """, 1),
        ["fd_close of 0 closes stdin"] = ("""
            (call $iov (i32.const 0) (i32.const 300) (i32.const 3))
            (call $rec (call $fd_close (i32.const 0)))
            (call $rec (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 16)))
            """, 1),
        ["trap after writing"] = ("""
            (drop (call $write (i32.const 1) (i32.const 200) (i32.const 4)))
            (drop (call $write (i32.const 2) (i32.const 204) (i32.const 4)))
            unreachable
            """, 1),
        ["proc_exit after writing"] = ("""
            (drop (call $write (i32.const 1) (i32.const 200) (i32.const 4)))
            (call $proc_exit (call $write (i32.const 5) (i32.const 200) (i32.const 4)))
            """, 1),
    };

    private readonly SandboxHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    public static TheoryData<string> ProbeNames => [.. Probes.Keys];

    [Theory]
    [MemberData(nameof(ProbeNames))]
    public async Task Probe_RunInSandbox_SeenAsUnderWasmtimeWasi(string name)
    {
        var (body, pages) = Probes[name];
        await WasiProbe.AssertSeenAsUnderWasmtimeAsync(_harness, body, pages, Cap);
    }

    [Fact]
    public async Task WriteAfterFdClose_KeptBySandbox_WhereWasmtimeAnswersBadf()
    {
        // A known difference, the one marked at WasiShims.FdWrite: our fd_write does not see fd_close.
        var module = WasiProbe.Compile("""
            (call $rec (call $fd_close (i32.const 1)))
            (call $rec (call $write (i32.const 1) (i32.const 200) (i32.const 3)))
            """);

        var wasmtime = PlainWasi.Run(module, ["probe.wasm"]);
        var sandbox = GuestObservation.Of(await _harness.RunBytesAsync(module));

        Assert.Equal(
            new GuestObservation("exit 0", [], false, "0 8 "u8.ToArray(), false).ToString(), wasmtime.ToString());
        Assert.Equal(
            new GuestObservation("exit 0", "abc"u8.ToArray(), false, "0 0 "u8.ToArray(), false).ToString(),
            sandbox.ToString());
    }

    [Fact]
    public async Task WriteAfterFdRenumber_FdsKeepTheirStreamsInSandbox_WhereWasmtimeMovesThem()
    {
        // A known difference, the one marked at WasiShims.FdWrite: our fd_write does not see fd_renumber. Nothing is lost:
        // what Wasmtime sends to stderr through fd 1 lands on stdout, and writes Wasmtime refuses are kept.
        var module = WasiProbe.Compile("""
            (call $rec (call $fd_renumber (i32.const 2) (i32.const 1)))
            (call $rec (call $write (i32.const 1) (i32.const 200) (i32.const 3)))
            (call $rec (call $write (i32.const 2) (i32.const 203) (i32.const 3)))
            (call $rec (call $fd_renumber (i32.const 1) (i32.const 0)))
            (call $rec (call $write (i32.const 0) (i32.const 206) (i32.const 3)))
            (i32.store (i32.const 4080) (i32.const 4096))
            (i32.store (i32.const 4084) (i32.sub (global.get $out) (i32.const 4096)))
            (call $proc_exit (call $fd_write (i32.const 0) (i32.const 4080) (i32.const 1) (i32.const 4088)))
            """);

        var wasmtime = PlainWasi.Run(module, ["probe.wasm"]);
        var sandbox = GuestObservation.Of(await _harness.RunBytesAsync(module));

        // Wasmtime: fd 1 became stderr and fd 2 closed; then fd 0 became that stderr, and the report went there.
        Assert.Equal(
            new GuestObservation("exit 0", [], false, "abcghi0 0 8 0 0 "u8.ToArray(), false).ToString(),
            wasmtime.ToString());
        Assert.Equal(
            new GuestObservation("exit 8", "abc"u8.ToArray(), false, "def"u8.ToArray(), false).ToString(),
            sandbox.ToString());
    }
}
