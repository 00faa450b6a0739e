;; A WASI command that greets, then copies stdin to stdout until end of input.
;; Build: it is already built as echo.wasm (the tests check the two agree).
(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "Hello from WebAssembly!\n")

  ;; Writes len bytes at ptr to stdout, using 0..8 as the iovec and 8 for the count written.
  (func $write (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func (export "_start")
    (call $write (i32.const 64) (i32.const 24))
    ;; Read 4 KiB at a time into 1024.. until fd_read reports 0 bytes (end of input) or an error.
    (block $done
      (loop $more
        (i32.store (i32.const 16) (i32.const 1024))
        (i32.store (i32.const 20) (i32.const 4096))
        (br_if $done (i32.ne (call $fd_read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 24)) (i32.const 0)))
        (br_if $done (i32.eqz (i32.load (i32.const 24))))
        (call $write (i32.const 1024) (i32.load (i32.const 24)))
        (br $more))))
)
