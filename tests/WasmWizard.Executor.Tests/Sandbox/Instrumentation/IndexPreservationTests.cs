using System.Text;
using WasmWizard.Executor.Sandbox.Instrumentation;
using Wasmtime;

namespace WasmWizard.Executor.Tests.Sandbox.Instrumentation;

/// <summary>Appending at the end of every index space must leave all existing indices and sections intact.</summary>
public sealed class IndexPreservationTests
{
    private const string Indexed = """
        (module
          (import "host" "log" (func $log (param i32)))
          (import "host" "base" (global $base i32))
          (import "host" "counter" (global $counter (mut i32)))
          (memory (export "memory") 1)
          (global $g1 (mut i32) (i32.const 10))
          (global $g2 i32 (i32.add (global.get $base) (i32.const 5)))
          (global $g3 (export "g3") (mut i64) (i64.const -64))
          (table (export "table") 3 funcref)
          (elem (i32.const 0) func $f0 $f1 $f2)
          (elem $passive funcref (ref.func $f2) (ref.null func))
          (@custom "wasmwizard-note" (after code) "kept in place")
          (func $f0 (result i32) (global.get $g1))
          (func $f1 (result i32) (i32.add (global.get $g2) (memory.grow (i32.const 1))))
          (func $f2 (result i32) (call $log (i32.const 2)) (i32.const 2))
          (func $start
            (global.set $g1 (i32.add (global.get $g1) (i32.const 67)))
            (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
            (call $log (memory.grow (i32.const 0))))
          (start $start)
          (func (export "read_globals") (result i32) (i32.add (global.get $g1) (global.get $g2)))
          (func (export "call_table") (param i32) (result i32) (call_indirect (result i32) (local.get 0)))
          (func (export "reload") (param i32) (result i32)
            (table.init $passive (i32.const 1) (i32.const 0) (i32.const 1))
            (call_indirect (result i32) (local.get 0))))
        """;

    [Fact]
    public void ImportsStartFunctionElementsAndGlobalsStillWork()
    {
        byte[] original = WasmHost.Wat(Indexed);
        byte[] instrumented = WasmHost.Instrument(original);

        var (beforeLog, before) = Run(original);
        var (afterLog, after) = Run(instrumented);
        using (before)
        using (after)
        {
            foreach (GuestRun run in new[] { before, after })
            {
                // The start function ran: g1 = 10 + 67, g2 = base(5) + 5.
                Assert.Equal(87, run.Call("read_globals"));
                Assert.Equal(77, run.Call("call_table", 0));
                Assert.Equal(11, run.Call("call_table", 1));
                Assert.Equal(2, run.Call("call_table", 2));
                Assert.Equal(2, run.Call("reload", 1));
                Assert.Equal(-64L, run.Instance.GetGlobal("g3")!.GetValue());
                Assert.False(run.GrowFailed);
            }

            Assert.Equal([1, 2, 2], beforeLog);
            Assert.Equal(beforeLog, afterLog);
        }
    }

    [Fact]
    public void ImportsAndExportsAreUnchangedApartFromTheFlag()
    {
        byte[] original = WasmHost.Wat(Indexed);
        using var before = Module.FromBytes(WasmHost.Engine, "before", original);
        using var after = Module.FromBytes(WasmHost.Engine, "after", WasmHost.Instrument(original));

        Assert.Equal(Describe(before.Imports), Describe(after.Imports));
        Assert.Equal(
            [.. Describe(before.Exports), $"GlobalExport {ModuleInstrumenter.FlagExportName}"],
            Describe(after.Exports));
    }

    [Fact]
    public void UntouchedSectionsAreByteForByteIdentical()
    {
        byte[] original = WasmHost.Wat(Indexed);
        var before = WasmSections.Split(original);
        var after = WasmSections.Split(WasmHost.Instrument(original));

        Assert.Equal(before.Select(s => s.Id), after.Select(s => s.Id));
        Assert.Contains(before, s => s.Id == 0 && Encoding.UTF8.GetString(s.Content).Contains("kept in place"));
        for (int i = 0; i < before.Count; i++)
        {
            (byte id, byte[] content) = before[i];
            if (id is 1 or 3 or 6 or 7 or 10)
            {
                // Types gain three, functions and bodies four (growth helper, checkpoint, fill and copy), globals and
                // exports the flag:
                // appended after the untouched original entries.
                var (count, entries) = WasmSections.SplitVector(content);
                var (newCount, newEntries) = WasmSections.SplitVector(after[i].Content);
                Assert.Equal(count + id switch { 1 => 3u, 3 or 10 => 4u, _ => 1u }, newCount);
                if (id != 10)
                {
                    Assert.Equal(entries, newEntries[..entries.Length]);
                }
            }
            else
            {
                Assert.Equal(content, after[i].Content);
            }
        }
    }

    [Fact]
    public void CodeBodiesWithNothingToInstrumentAreCopiedVerbatim()
    {
        byte[] original = WasmHost.Wat(Indexed);
        byte[] originalCode = WasmSections.Split(original).Single(s => s.Id == 10).Content;
        byte[] newCode = WasmSections.Split(WasmHost.Instrument(original)).Single(s => s.Id == 10).Content;

        List<byte[]> before = Bodies(originalCode);
        List<byte[]> after = Bodies(newCode);

        // $f1 and $start grow memory; $f2 and $start call the host, call_table and reload call through the table,
        // reload fills it with table.init. $f0 (0) and read_globals (4) must not have changed at all.
        Assert.Equal(before.Count + 4, after.Count);
        for (int i = 0; i < before.Count; i++)
        {
            if (i is not (0 or 4))
            {
                Assert.NotEqual(before[i], after[i]);
            }
            else
            {
                Assert.Equal(before[i], after[i]);
            }
        }
    }

    private static List<byte[]> Bodies(byte[] codeSection)
    {
        int position = 0;
        uint count = WasmSections.ReadU32(codeSection, ref position);
        var bodies = new List<byte[]>();
        for (uint i = 0; i < count; i++)
        {
            int size = (int)WasmSections.ReadU32(codeSection, ref position);
            bodies.Add(codeSection[position..(position + size)]);
            position += size;
        }

        return bodies;
    }

    private static List<string> Describe(IEnumerable<object> items) =>
        [.. items.Select(item => $"{item.GetType().Name} {item}")];

    private static (List<int> Log, GuestRun Run) Run(byte[] wasm)
    {
        var log = new List<int>();
        var run = new GuestRun(wasm, (linker, store) =>
        {
            linker.Define("host", "log", Function.FromCallback(store, (int value) => log.Add(value)));
            linker.Define("host", "base", new Global(store, ValueKind.Int32, 5, Mutability.Immutable));
            linker.Define("host", "counter", new Global(store, ValueKind.Int32, 0, Mutability.Mutable));
        });
        return (log, run);
    }
}
