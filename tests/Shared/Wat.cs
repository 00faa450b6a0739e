using System.Text;

namespace WasmWizard.Tests.Shared;

/// <summary>Small WebAssembly text modules for sandbox tests, one behaviour each.</summary>
public static class Wat
{
    public static byte[] Compile(string wat) => Wasmtime.Module.ConvertText(wat);

    /// <summary>
    /// A WASI command with the usual imports, a 1-page exported memory and a <c>$print</c> helper writing
    /// (pointer, length) to a file descriptor; <paramref name="body"/> is the rest of the module.
    /// </summary>
    public static string Command(string body, string memory = "(memory (export \"memory\") 1)") => $$"""
        (module
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
          (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "environ_sizes_get" (func $env_sizes (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "environ_get" (func $env_get (param i32 i32) (result i32)))
          {{memory}}
          (func $write (param $fd i32) (param $ptr i32) (param $len i32)
            (i32.store (i32.const 0) (local.get $ptr))
            (i32.store (i32.const 4) (local.get $len))
            (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))))
          (func $print (param $ptr i32) (param $len i32) (call $write (i32.const 1) (local.get $ptr) (local.get $len)))
          ;; Sleeps on a relative monotonic clock subscription for $ns nanoseconds.
          (func $sleep (param $ns i64)
            (i64.store (i32.const 64) (i64.const 7))
            (i32.store8 (i32.const 72) (i32.const 0))
            (i32.store (i32.const 80) (i32.const 1))
            (i64.store (i32.const 88) (local.get $ns))
            (i64.store (i32.const 96) (i64.const 0))
            (i32.store16 (i32.const 104) (i32.const 0))
            (drop (call $poll_oneoff (i32.const 64) (i32.const 128) (i32.const 1) (i32.const 160))))
          {{body}}
        )
        """;

    /// <summary>A data segment at <paramref name="offset"/> holding <paramref name="text"/> (ASCII).</summary>
    public static string Data(int offset, string text)
    {
        var escaped = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            escaped.Append('\\').Append(b.ToString("x2"));
        }

        return $"(data (i32.const {offset}) \"{escaped}\")";
    }
}
