using System.Globalization;
using System.Text;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Benchmarks;

/// <summary>The modules the benchmarks run: a no-op WASI command, the corpus' hello world, and synthetic sizes.</summary>
public static class BenchmarkModules
{
    /// <summary>A WASI command that does nothing: the floor of what any run costs.</summary>
    public const string NoOp = "noop";

    /// <summary>The corpus' Rust hello world (66 KB), the module the targets name.</summary>
    public const string HelloWorld = "wasmwizard-hello_world";

    // The sandbox wants an exported memory and _start, like every WASI command; nothing else.
    private const string NoOpWat = """
        (module
          (memory (export "memory") 1)
          (func (export "_start")))
        """;

    /// <summary>The run benchmarks' modules: the no-op, and hello world when the corpus is present.</summary>
    public static IEnumerable<string> Available =>
        CorpusLocation.Directory is null ? [NoOp] : [NoOp, HelloWorld];

    /// <summary>The bytes of <paramref name="name"/>.</summary>
    public static byte[] Bytes(string name) => name switch
    {
        NoOp => Wasmtime.Module.ConvertText(NoOpWat),
        HelloWorld => File.ReadAllBytes(Path.Combine(
            CorpusLocation.ModulesDirectory ?? throw new InvalidOperationException(CorpusLocation.MissingReason),
            HelloWorld + ".wasm")),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown benchmark module."),
    };

    /// <summary>
    /// A valid WASI command of about <paramref name="kilobytes"/> KB: many small arithmetic functions, so the
    /// compiler's work grows with the size as it does for real code.
    /// </summary>
    public static byte[] Synthetic(int kilobytes)
    {
        var target = kilobytes * 1024;
        // About 40 bytes of code per function; one correction from a measured size lands within a few percent.
        var functions = Math.Max(1, target / 40);
        var bytes = SyntheticWith(functions);
        functions = Math.Max(1, (int)((long)functions * target / bytes.Length));
        return SyntheticWith(functions);
    }

    private static byte[] SyntheticWith(int functions)
    {
        var wat = new StringBuilder("(module (memory (export \"memory\") 1)\n");
        for (var i = 0; i < functions; i++)
        {
            wat.Append(CultureInfo.InvariantCulture, $"""
                (func (param i32 i32) (result i32)
                  local.get 0 i32.const {i} i32.add local.get 1 i32.mul
                  local.get 0 i32.const {i + 7} i32.xor i32.sub
                  local.get 1 i32.const 3 i32.shl i32.add)

                """);
        }

        wat.Append("(func (export \"_start\")))");
        return Wasmtime.Module.ConvertText(wat.ToString());
    }
}
