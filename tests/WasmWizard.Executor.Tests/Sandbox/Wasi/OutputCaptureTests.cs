using System.Text;
using WasmWizard.Shared.Contracts;

namespace WasmWizard.Executor.Tests.Sandbox.Wasi;

/// <summary>What a caller gets back from stdout and stderr now that the sandbox captures them itself.</summary>
public sealed class OutputCaptureTests
{
    [Fact]
    public async Task Run_StdoutAndStderrInterleaved_EachStreamKeepsItsOwnBytesInOrder()
    {
        using var harness = new SandboxHarness();
        // 200 writes alternating between the streams, one byte each: stdout gets "a".."z" repeated, stderr "0".."9".
        var module = WasiProbe.Compile("""
            (local $i i32)
            (loop $again
              (drop (call $write (i32.const 1) (i32.add (i32.const 200) (i32.rem_u (local.get $i) (i32.const 26)))
                (i32.const 1)))
              (i32.store8 (i32.const 300) (i32.add (i32.const 48) (i32.rem_u (local.get $i) (i32.const 10))))
              (drop (call $write (i32.const 2) (i32.const 300) (i32.const 1)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $again (i32.lt_u (local.get $i) (i32.const 100))))
            """);

        var result = await harness.RunBytesAsync(module);

        var alphabet = "abcdefghijklmnopqrstuvwxyz";
        Assert.Equal(ExecutionOutcome.Exited, result.Outcome);
        var stdout = string.Concat(Enumerable.Range(0, 100).Select(i => alphabet[i % 26]));
        var stderr = string.Concat(Enumerable.Range(0, 100).Select(i => (char)('0' + (i % 10))));
        Assert.Equal(stdout, Encoding.ASCII.GetString(result.Stdout));
        Assert.Equal(stderr, Encoding.ASCII.GetString(result.Stderr));
        Assert.False(result.StdoutTruncated);
        Assert.False(result.StderrTruncated);
    }

    [Fact]
    public async Task Run_OutputCrossingTheCap_KeptToTheByteAndFlagged_WhileTheGuestSeesEveryByteWritten()
    {
        using var harness = new SandboxHarness(new Dictionary<string, string?>
        {
            ["Sandbox:MaxStdoutBytes"] = "10",
            ["Sandbox:MaxStderrBytes"] = "4",
        });
        // Stdout: 6 + 6 bytes, then a two-iovec write once full (one buffer is written per call, as in Wasmtime);
        // stderr: exactly its cap. The exit code is the sum of what the guest was told it wrote.
        var module = WasiProbe.Compile("""
            (local $sum i32)
            (drop (call $write (i32.const 1) (i32.const 200) (i32.const 6)))
            (local.set $sum (i32.load (i32.const 16)))
            (drop (call $write (i32.const 1) (i32.const 206) (i32.const 6)))
            (local.set $sum (i32.add (local.get $sum) (i32.load (i32.const 16))))
            (call $iov (i32.const 0) (i32.const 212) (i32.const 2))
            (call $iov (i32.const 8) (i32.const 214) (i32.const 2))
            (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 2) (i32.const 16)))
            (local.set $sum (i32.add (local.get $sum) (i32.load (i32.const 16))))
            (drop (call $write (i32.const 2) (i32.const 222) (i32.const 4)))
            (call $proc_exit (i32.add (local.get $sum) (i32.load (i32.const 16))))
            """);

        var result = await harness.RunBytesAsync(module);

        Assert.Equal(ExecutionOutcome.Exited, result.Outcome);
        Assert.Equal("abcdefghij", Encoding.ASCII.GetString(result.Stdout));
        Assert.True(result.StdoutTruncated);
        Assert.Equal("wxyz", Encoding.ASCII.GetString(result.Stderr));
        Assert.False(result.StderrTruncated);
        // 6 + 6 + 2 bytes to stdout and 4 to stderr, all reported written.
        Assert.Equal(18, result.ExitCode);
    }
}
