using WasmWizard.Executor.Sandbox.Instrumentation;
using Wasmtime;

namespace WasmWizard.Executor.Tests.Sandbox.Instrumentation;

/// <summary>The instrumented module must compute exactly what the original computes.</summary>
public sealed class EquivalenceTests
{
    // Immediates are chosen so that many of them encode as a 0x40 byte: empty block types, i32/i64.const -64,
    // f32/f64.const 2.0, offset=64, local index 64, v128 constants and data bytes.
    private const string Kitchen = """
        (module
          (type $pair (func (param i32) (result i32 i32)))
          (type $binop (func (param i32 i32) (result i32)))
          (memory (export "memory") 1)
          (table $t 4 funcref)
          (table $t2 2 funcref)
          (elem (table $t) (i32.const 0) func $add $sub $grow_then_add $mul)
          (data $d "\40\40\40\40hello")
          (global $g (mut i32) (i32.const -64))

          (func $add (type $binop) (i32.add (local.get 0) (local.get 1)))
          (func $sub (type $binop) (i32.sub (local.get 0) (local.get 1)))
          (func $mul (type $binop) (i32.mul (local.get 0) (local.get 1)))
          (func $grow_then_add (type $binop)
            (i32.add (memory.grow (local.get 0)) (local.get 1)))

          (func (export "blocks") (param $n i32) (result i32)
            (local $i i32) (local $acc i32)
            (local.get $n)
            (block (type $pair) (param i32) (result i32 i32)
              (memory.grow)
              (i32.const -64))
            (i32.add)
            (local.set $acc)
            (loop $again
              (if (i32.lt_u (local.get $i) (i32.const 3))
                (then
                  (local.set $acc (i32.add (local.get $acc) (memory.grow (i32.const 1))))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br $again))
                (else
                  (local.set $acc (i32.add (local.get $acc) (i32.const 0x40))))))
            (i32.add (local.get $acc) (i32.mul (memory.size) (i32.const 1000))))

          (func (export "branches") (param i32) (result i32)
            (block $c
              (block $b
                (block $a
                  (br_table $a $b $c (local.get 0)))
                (return (i32.add (memory.grow (i32.const 0)) (i32.const 100))))
              (return (i32.add (memory.grow (i32.const 2)) (i32.const 200))))
            (i32.add (memory.grow (i32.const 9)) (i32.const 300)))

          (func (export "many_locals") (result i64)
            (local i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)
            (local i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)
            (local i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)
            (local i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)
            (local $sixty_four i64)
            (local.set 64 (i64.const -64))
            (i32.store offset=64 (i32.const 0) (memory.grow (i32.const 1)))
            (i64.add
              (i64.add (local.get 64) (i64.extend_i32_s (i32.load offset=64 (i32.const 0))))
              (i64.add
                (i64.trunc_f64_s (f64.const 2.0))
                (i64.extend_i32_s (i32.trunc_sat_f32_s (f32.const 2.0))))))

          (func (export "simd") (result i32)
            (local $v v128)
            (local.set $v (v128.const i8x16 0x40 0x40 0x40 0x40 1 2 3 4 5 6 7 8 9 10 11 0x40))
            (v128.store offset=64 (i32.const 0) (local.get $v))
            (local.set $v
              (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23
                (local.get $v) (v128.load offset=64 (i32.const 0))))
            (local.set $v (v128.load8_lane offset=64 15 (i32.const 4) (local.get $v)))
            (local.set $v (i8x16.relaxed_swizzle (local.get $v)
              (v128.const i8x16 15 14 13 12 11 10 9 8 7 6 5 4 3 2 1 0)))
            (v128.store64_lane offset=128 1 (i32.const 0) (local.get $v))
            (i32.add
              (i32.add (i8x16.extract_lane_u 15 (local.get $v)) (i32x4.extract_lane 1 (local.get $v)))
              (i32.add
                (memory.grow (i32.const 1))
                (i32.extend8_s (i32.load8_u offset=130 (i32.const 0))))))

          (func (export "indirect") (param $k i32) (result i32)
            (call_indirect $t (type $binop) (i32.const 1) (i32.const 5) (local.get $k)))

          (func $tail (param i32) (result i32)
            (return_call $add (local.get 0) (memory.grow (i32.const 0))))

          (func (export "tables") (result i32)
            (table.set $t2 (i32.const 0) (ref.func $mul))
            (drop (table.grow $t2 (ref.null func) (i32.const 2)))
            (table.fill $t2 (i32.const 2) (ref.func $grow_then_add) (i32.const 2))
            (table.copy $t2 $t (i32.const 1) (i32.const 0) (i32.const 1))
            (i32.add
              (i32.add
                (call_indirect $t2 (type $binop) (i32.const 6) (i32.const 7) (i32.const 0))
                (call_indirect $t2 (type $binop) (i32.const 1) (i32.const 7) (i32.const 3)))
              (i32.add
                (i32.add (table.size $t2) (ref.is_null (table.get $t2 (i32.const 1))))
                (call $tail (i32.const 0x40)))))

          (func (export "tail_indirect") (param i32) (result i32)
            (return_call_indirect $t (type $binop) (memory.grow (i32.const 1)) (i32.const 4) (local.get 0)))

          (func (export "bulk") (result i64)
            (memory.fill (i32.const 100) (i32.const 0x40) (i32.const 16))
            (memory.init $d (i32.const 120) (i32.const 0) (i32.const 9))
            (data.drop $d)
            (memory.copy (i32.const 200) (i32.const 100) (i32.const 32))
            (global.set $g (i32.add (global.get $g) (memory.grow (i32.const 0))))
            (i64.add
              (i64.add (i64.load offset=64 (i32.const 136)) (i64.load (i32.const 216)))
              (i64.extend_i32_s
                (select (result i32) (global.get $g) (i32.const 2) (memory.grow (i32.const 1)))))))
        """;

    public static TheoryData<string, int[]> Calls => new()
    {
        { "blocks", [0] },
        { "blocks", [2] },
        { "blocks", [7] },
        { "branches", [0] },
        { "branches", [1] },
        { "branches", [2] },
        { "branches", [5] },
        { "many_locals", [] },
        { "simd", [] },
        { "indirect", [0] },
        { "indirect", [1] },
        { "indirect", [2] },
        { "indirect", [3] },
        { "tables", [] },
        { "tail_indirect", [0] },
        { "tail_indirect", [2] },
        { "bulk", [] },
    };

    [Theory]
    [MemberData(nameof(Calls))]
    public void InstrumentedModuleComputesTheSameResults(string export, int[] arguments)
    {
        byte[] original = WasmHost.Wat(Kitchen);
        byte[] instrumented = WasmHost.Instrument(original);
        ValueBox[] boxed = [.. arguments.Select(a => (ValueBox)a)];

        using var before = new GuestRun(original);
        using var after = new GuestRun(instrumented);

        object? expected = before.Call(export, boxed);
        object? actual = after.Call(export, boxed);

        Assert.Equal(expected, actual);
        Assert.Equal(before.MemorySnapshot(), after.MemorySnapshot());
    }

    [Fact]
    public void FlagMatchesWhetherAnyGrowReturnedMinusOne()
    {
        byte[] instrumented = WasmHost.Instrument(WasmHost.Wat(Kitchen));

        // "branches" with the default arm asks for 9 pages, more than the 4-page cap allows.
        using (var refused = new GuestRun(instrumented))
        {
            Assert.Equal(299, refused.Call("branches", 5));
            Assert.True(refused.GrowFailed);
        }

        using (var granted = new GuestRun(instrumented))
        {
            Assert.Equal(201, granted.Call("branches", 1));
            Assert.False(granted.GrowFailed);
        }
    }
}
