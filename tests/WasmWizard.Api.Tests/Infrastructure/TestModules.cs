using WasmWizard.Tests.Shared;

namespace WasmWizard.Api.Tests.Infrastructure;

/// <summary>Tiny WASI commands for HTTP tests.</summary>
internal static class TestModules
{
    public static byte[] Hello { get; } = Wat.Compile(Wat.Command($$"""
        {{Wat.Data(200, "hello\n")}}
        (func (export "_start") (call $print (i32.const 200) (i32.const 6)))
        """));

    /// <summary>Copies up to 60000 bytes of stdin to stdout.</summary>
    public static byte[] Echo { get; } = Wat.Compile(Wat.Command(
        """
        (func (export "_start")
          (i32.store (i32.const 16) (i32.const 1024))
          (i32.store (i32.const 20) (i32.const 60000))
          (drop (call $fd_read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 24)))
          (call $print (i32.const 1024) (i32.load (i32.const 24))))
        """,
        memory: "(memory (export \"memory\") 2)"));

    /// <summary>Prints its NUL-separated argv buffer (argv[0] included) to stdout.</summary>
    public static byte[] Args { get; } = Wat.Compile(Wat.Command("""
        (func (export "_start")
          (drop (call $args_sizes (i32.const 16) (i32.const 20)))
          (drop (call $args_get (i32.const 1000) (i32.const 2000)))
          (call $print (i32.const 2000) (i32.load (i32.const 20))))
        """));

    public static byte[] NonUtf8 { get; } = Wat.Compile(Wat.Command("""
        (data (i32.const 200) "ok\ff\fe")
        (func (export "_start") (call $print (i32.const 200) (i32.const 4)))
        """));

    public static byte[] ExitWith(int code) => Wat.Compile(Wat.Command($$"""
        (func (export "_start") (call $proc_exit (i32.const {{code}})))
        """));

    /// <summary>Sleeps in WASI for the given time, then exits 0.</summary>
    public static byte[] Sleep(TimeSpan duration) => Wat.Compile(Wat.Command($$"""
        (func (export "_start") (call $sleep (i64.const {{(long)duration.TotalMilliseconds * 1_000_000}})))
        """));

    public static byte[] Spin { get; } = Wat.Compile(Wat.Command("""(func (export "_start") (loop (br 0)))"""));
}
