using Wasmtime;

namespace WasmWizard.Executor.Tests.Sandbox.Instrumentation;

/// <summary>
/// memory.fill and memory.copy go through helpers that work a MiB per turn of a loop (so the deadline is checked
/// between steps): they must leave memory exactly as the instructions do, overlapping copies both ways included,
/// and trap where the instructions trap.
/// </summary>
public sealed class BulkMemoryEquivalenceTests
{
    private const int MiB = 1 << 20;
    private const int Size = 3 * MiB;

    private const string Module = """
        (module
          (memory (export "memory") 48)
          (func (export "init") (local $i i32)
            (loop $next
              (i32.store8 (local.get $i) (i32.mul (local.get $i) (i32.const 131)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $next (i32.lt_u (local.get $i) (i32.const 3145728)))))
          (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
          (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2))))
        """;

    public static TheoryData<string, int, int, int> Cases => new()
    {
        { "fill", 0, 0x5A, Size },
        { "fill", 100, 7, (2 * MiB) + (MiB / 2) + 3 },
        { "fill", 5, 9, MiB },
        { "fill", 5, 9, MiB + 1 },
        { "fill", Size, 1, 0 },
        { "fill", Size - 10, 1, 11 },
        { "fill", -1, 1, 2 },
        { "copy", 10, MiB + 5, (2 * MiB) - 20 },
        { "copy", MiB + 5, 10, (2 * MiB) - 20 },
        { "copy", 3, 4, Size - 4 },
        { "copy", 4, 3, Size - 4 },
        { "copy", 0, 2 * MiB, MiB },
        { "copy", 2 * MiB, 0, MiB },
        { "copy", 7, 7, (2 * MiB) + 1 },
        { "copy", Size, 0, 0 },
        { "copy", 0, Size - 5, 10 },
        { "copy", Size - 5, 0, 10 },
        { "copy", 1, 0, -1 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Instrumented_LeavesMemoryAsTheInstructionDoes(string operation, int first, int second, int length)
    {
        byte[] original = WasmHost.Wat(Module);
        byte[] instrumented = WasmHost.Instrument(original);

        var (expectedTrap, expectedMemory) = Run(original, operation, first, second, length);
        var (actualTrap, actualMemory) = Run(instrumented, operation, first, second, length);

        Assert.Equal(expectedTrap, actualTrap);
        Assert.True(expectedMemory.SequenceEqual(actualMemory), "memory differs after the operation");
    }

    private static (bool Trapped, byte[] Memory) Run(byte[] wasm, string operation, int first, int second, int length)
    {
        using var store = new Store(WasmHost.Engine);
        using var module = Wasmtime.Module.FromBytes(WasmHost.Engine, "bulk", wasm);
        using var linker = new Linker(WasmHost.Engine);
        var instance = linker.Instantiate(store, module);
        instance.GetAction("init")!();
        var trapped = false;
        try
        {
            instance.GetFunction(operation)!.Invoke(first, second, length);
        }
        catch (TrapException)
        {
            trapped = true;
        }

        var memory = instance.GetMemory("memory")!;
        return (trapped, memory.GetSpan(0, checked((int)memory.GetLength())).ToArray());
    }
}
