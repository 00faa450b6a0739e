using WasmWizard.Executor.Sandbox.Instrumentation;
using Wasmtime;

namespace WasmWizard.Executor.Tests.Sandbox.Instrumentation;

public sealed class FlagBehaviourTests
{
    private const string Growing = """
        (module
          (memory (export "memory") 1)
          (func (export "grow_until_refused") (result i32)
            (block $refused
              (loop $again
                (br_if $refused (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
                (br $again)))
            (memory.size))
          (func (export "grow_by") (param i32) (result i32)
            (memory.grow (local.get 0)))
          (func (export "grow_then_trap")
            (drop (memory.grow (i32.const 100)))
            (unreachable)))
        """;

    [Fact]
    public void ModuleWithoutMemoryGrowIsLeftAlone()
    {
        byte[] wasm = WasmHost.Wat("""
            (module
              (memory (export "memory") 1)
              (func (export "size") (result i32) (memory.size))
              (func (export "block") (result i32) (block (result i32) (i32.const -64))))
            """);

        Assert.Null(ModuleInstrumenter.Instrument(wasm));
        Assert.Null(ModuleInstrumenter.Instrument(WasmHost.Wat("(module)")));
    }

    [Fact]
    public void GrowingUntilRefusedSetsTheFlag()
    {
        using var run = new GuestRun(WasmHost.Instrument(WasmHost.Wat(Growing)));

        Assert.False(run.GrowFailed);
        Assert.Equal(4, run.Call("grow_until_refused"));
        Assert.True(run.GrowFailed);
    }

    [Theory]
    [InlineData(0, 1, 0L)]
    [InlineData(2, 1, 0L)]
    [InlineData(3, 1, 0L)]
    [InlineData(4, -1, 5L)]
    [InlineData(-1, -1, 0x1_0000_0000L)]
    public void FlagRecordsThePagesARefusedGrowthAskedFor(int pages, int expectedResult, long expectedRefusedPages)
    {
        // The memory starts with one page, so asking for 4 more means asking for 5; -1 is a delta of 2^32 - 1,
        // which the i64 arithmetic keeps from wrapping.
        using var run = new GuestRun(WasmHost.Instrument(WasmHost.Wat(Growing)));

        Assert.Equal(expectedResult, run.Call("grow_by", pages));
        Assert.Equal(expectedRefusedPages, run.RefusedPages);
    }

    [Fact]
    public void FlagStaysSetAfterLaterSuccessfulGrowth()
    {
        using var run = new GuestRun(WasmHost.Instrument(WasmHost.Wat(Growing)));

        Assert.Equal(-1, run.Call("grow_by", 10));
        Assert.Equal(1, run.Call("grow_by", 1));
        Assert.Equal(11, run.RefusedPages);
    }

    [Fact]
    public void FlagKeepsTheLastRefusal()
    {
        using var run = new GuestRun(WasmHost.Instrument(WasmHost.Wat(Growing)));

        Assert.Equal(-1, run.Call("grow_by", 100));
        Assert.Equal(-1, run.Call("grow_by", 10));
        Assert.Equal(11, run.RefusedPages);
    }

    [Fact]
    public void FlagSurvivesATrapAfterRefusedGrowth()
    {
        using var run = new GuestRun(WasmHost.Instrument(WasmHost.Wat(Growing)));

        Assert.Throws<TrapException>(() => run.Call("grow_then_trap"));
        Assert.True(run.GrowFailed);
    }

    [Fact]
    public void FlagIsAMutableI64GlobalExportAndReadsZeroWhenAbsent()
    {
        byte[] instrumented = WasmHost.Instrument(WasmHost.Wat(Growing));
        using var run = new GuestRun(instrumented);

        GlobalExport flag = Assert.Single(run.Module.Exports.OfType<GlobalExport>());
        Assert.Equal(ModuleInstrumenter.FlagExportName, flag.Name);
        Assert.Equal(ValueKind.Int64, flag.Kind);
        Assert.Equal(Mutability.Mutable, flag.Mutability);
        Assert.Equal(0L, run.Instance.GetGlobal(ModuleInstrumenter.FlagExportName)!.GetValue());

        using var plain = new GuestRun(WasmHost.Wat("(module (memory (export \"memory\") 1))"));
        Assert.Equal(0, plain.RefusedPages);
    }

    [Fact]
    public void MissingGlobalAndExportSectionsAreCreatedForAStartFunction()
    {
        // No globals, no exports: the growth happens in the start function, during instantiation.
        byte[] original = WasmHost.Wat("""
            (module
              (memory 1)
              (func $start (drop (memory.grow (i32.const 100))))
              (start $start))
            """);

        using var run = new GuestRun(WasmHost.Instrument(original));

        Assert.True(run.GrowFailed);
    }

    [Fact]
    public void EveryCallSiteIsRewritten()
    {
        // Each export grows by an impossible amount exactly once, behind immediates that contain 0x40 bytes.
        byte[] original = WasmHost.Wat("""
            (module
              (type $pair (func (param i32) (result i32 i32)))
              (memory (export "memory") 1)
              (table 1 funcref)
              (func $callee (param i32) (result i32) (local.get 0))
              (elem (i32.const 0) $callee)
              (func (export "plain") (result i32) (memory.grow (i32.const 0x10000)))
              (func (export "in_block") (result i32)
                (block (result i32) (i64.const -64) (drop) (memory.grow (i32.const 0x10000))))
              (func (export "in_multi_value_block") (result i32)
                (i32.const 0x10000)
                (block (type $pair) (param i32) (result i32 i32) (memory.grow) (i32.const -64))
                (drop))
              (func (export "in_loop") (result i32)
                (loop (result i32) (f32.const 2.0) (drop) (memory.grow (i32.const 0x10000))))
              (func (export "in_else") (result i32)
                (if (result i32) (i32.const 0)
                  (then (i32.const 7))
                  (else (f64.const 2.0) (drop) (memory.grow (i32.const 0x10000)))))
              (func (export "after_simd") (result i32)
                (drop (v128.const i8x16 0x40 0x40 0x40 0x40 0x40 0x40 0x40 0x40 0 0 0 0 0 0 0 0x40))
                (drop (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15
                  (v128.const i64x2 0 0) (v128.const i64x2 0 0)))
                (memory.grow (i32.const 0x10000)))
              (func (export "as_call_argument") (result i32)
                (call_indirect (param i32) (result i32) (memory.grow (i32.const 0x10000)) (i32.const 0)))
              (func (export "in_br_table_arm") (result i32)
                (block $a (block $b (br_table $a $b (i32.const 0))) (return (i32.const 9)))
                (memory.grow (i32.const 0x10000))))
            """);
        byte[] instrumented = WasmHost.Instrument(original);

        string[] exports =
        [
            "plain", "in_block", "in_multi_value_block", "in_loop", "in_else", "after_simd", "as_call_argument",
            "in_br_table_arm",
        ];
        foreach (string export in exports)
        {
            using var run = new GuestRun(instrumented);
            Assert.Equal(-1, run.Call(export));
            Assert.True(run.GrowFailed, export);
        }
    }
}
