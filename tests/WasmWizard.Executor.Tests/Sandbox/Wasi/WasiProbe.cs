using WasmWizard.Tests.Shared;

namespace WasmWizard.Executor.Tests.Sandbox.Wasi;

/// <summary>
/// Small commands that make WASI calls about output and report what they saw: <c>$rec</c> notes a number (an errno,
/// a count) and, when <c>_start</c> ends normally, the numbers go to stderr as decimal text ("8 77 "), so a run is
/// judged by its outcome and its two streams alone. Memory: iovecs from 0, result slots at 16 and 24, text
/// "abcdefghijklmnopqrstuvwxyz" at 200, the report from 4096.
/// </summary>
internal static class WasiProbe
{
    public static byte[] Compile(string body, int pages = 1) => Wat.Compile($$"""
        (module
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_pwrite" (func $fd_pwrite (param i32 i32 i32 i64 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_renumber" (func $fd_renumber (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fd_fdstat_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_tell" (func $fd_tell (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
          (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
          (memory (export "memory") {{pages}})
          (data (i32.const 200) "abcdefghijklmnopqrstuvwxyz")
          (global $out (mut i32) (i32.const 4096))
          (func $rec (param $v i32) (local $at i32) (local $n i32)
            (local.set $at (i32.const 4010))
            (loop $digit
              (local.set $at (i32.sub (local.get $at) (i32.const 1)))
              (i32.store8 (local.get $at) (i32.add (i32.const 48) (i32.rem_u (local.get $v) (i32.const 10))))
              (local.set $v (i32.div_u (local.get $v) (i32.const 10)))
              (br_if $digit (local.get $v)))
            (local.set $n (i32.sub (i32.const 4010) (local.get $at)))
            (memory.copy (global.get $out) (local.get $at) (local.get $n))
            (i32.store8 (i32.add (global.get $out) (local.get $n)) (i32.const 32))
            (global.set $out (i32.add (global.get $out) (i32.add (local.get $n) (i32.const 1)))))
          ;; One iovec descriptor {ptr, len} at $at.
          (func $iov (param $at i32) (param $ptr i32) (param $len i32)
            (i32.store (local.get $at) (local.get $ptr))
            (i32.store (i32.add (local.get $at) (i32.const 4)) (local.get $len)))
          ;; fd_write of one iovec at 0 with nwritten at 16 (preset to 77, to see whether it is written).
          (func $write (param $fd i32) (param $ptr i32) (param $len i32) (result i32)
            (call $iov (i32.const 0) (local.get $ptr) (local.get $len))
            (i32.store (i32.const 16) (i32.const 77))
            (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 16)))
          (func $report
            (i32.store (i32.const 4080) (i32.const 4096))
            (i32.store (i32.const 4084) (i32.sub (global.get $out) (i32.const 4096)))
            (drop (call $fd_write (i32.const 2) (i32.const 4080) (i32.const 1) (i32.const 4088))))
          (func (export "_start")
            {{body}}
            (call $report))
        )
        """);

    /// <summary>
    /// Runs the probe under Wasmtime's own WASI and in the sandbox and asserts both ended the same way with the same
    /// streams (the reference's cut at the sandbox's output cap).
    /// </summary>
    public static async Task AssertSeenAsUnderWasmtimeAsync(SandboxHarness harness, string body, int pages, int cap)
    {
        var module = Compile(body, pages);

        var wasmtime = PlainWasi.Run(module, ["probe.wasm"]).Capped(cap);
        var sandbox = GuestObservation.Of(await harness.RunBytesAsync(module, programName: "probe.wasm"));

        Assert.Equal(wasmtime.ToString(), sandbox.ToString());
        Assert.Equal(wasmtime.Stdout, sandbox.Stdout);
        Assert.Equal(wasmtime.Stderr, sandbox.Stderr);
    }
}
