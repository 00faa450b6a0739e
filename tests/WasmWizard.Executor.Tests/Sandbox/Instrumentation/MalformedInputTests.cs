using WasmWizard.Executor.Sandbox.Instrumentation;
using WasmWizard.Shared.Contracts;

namespace WasmWizard.Executor.Tests.Sandbox.Instrumentation;

/// <summary>Hostile or unsupported input may only surface as <see cref="WasmInstrumentationException"/>.</summary>
public sealed class MalformedInputTests
{
    private const string Sample = """
        (module
          (type $pair (func (param i32) (result i32 i32)))
          (import "env" "f" (func $f (param i32)))
          (memory (export "memory") 1 8)
          (table 2 funcref)
          (global $g (mut i32) (i32.const -64))
          (elem (i32.const 0) func $grow $grow)
          (func $grow (export "grow") (param i32) (result i32)
            (local v128 i64)
            (local.get 0)
            (block (type $pair) (param i32) (result i32 i32)
              (memory.grow)
              (br_table 0 0 (i32.const -64) (i32.const 0)))
            (i32.add)
            (drop (i8x16.extract_lane_u 3 (v128.const i8x16 0x40 0x40 0x40 0x40 0 0 0 0 0 0 0 0 0 0 0 0)))
            (memory.fill (i32.const 0) (i32.const 0x40) (i32.const 4))
            (call $f (memory.grow (global.get $g))))
          (data (i32.const 16) "\40\40"))
        """;

    [Theory]
    [InlineData("")]
    [InlineData("006173")]
    [InlineData("0061736e 01000000")]
    [InlineData("0061736d 0d000100")] // a component, not a core module
    [InlineData("0061736d 01000000 01")]
    [InlineData("0061736d 01000000 01 05 00")]
    [InlineData("0061736d 01000000 01 ffffffff7f")]
    [InlineData("0061736d 01000000 0e 00")]
    [InlineData("0061736d 01000000 03 01 00 01 01 00")]
    [InlineData("0061736d 01000000 01 05 ffffffff0f")]
    [InlineData("0061736d 01000000 01 06 ffffffff1f 00")]
    [InlineData("0061736d 01000000 03 02 01 00 0a 04 01 02 00 40")]
    [InlineData("0061736d 01000000 03 02 01 00 0a 06 01 04 00 40 00 0b 0b")]
    public void GarbageIsRejected(string hex)
    {
        byte[] input = Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));

        Assert.Throws<WasmInstrumentationException>(() => ModuleInstrumenter.Instrument(input));
    }

    [Fact]
    public void EveryTruncationInsideASectionIsRejected()
    {
        byte[] module = WasmHost.Wat(Sample);
        var boundaries = new HashSet<int> { 8 };
        int end = 8;
        foreach ((byte _, byte[] content) in WasmSections.Split(module))
        {
            // Section ids and sizes here are small: one id byte plus a size LEB of one or two bytes.
            end += 1 + (content.Length < 128 ? 1 : 2) + content.Length;
            boundaries.Add(end);
        }

        Assert.Equal(module.Length, end);
        for (int length = 0; length < module.Length; length++)
        {
            byte[] prefix = module[..length];
            if (boundaries.Contains(length))
            {
                // A cut on a section boundary is itself a well-formed, shorter module.
                ModuleInstrumenter.Instrument(prefix);
            }
            else
            {
                Assert.Throws<WasmInstrumentationException>(() => ModuleInstrumenter.Instrument(prefix));
            }
        }
    }

    [Fact]
    public void RandomCorruptionNeverEscapesAsAnotherException()
    {
        byte[] module = WasmHost.Wat(Sample);
        var random = new Random(20240607);
        for (int round = 0; round < 20000; round++)
        {
            byte[] mutated = (byte[])module.Clone();
            int edits = random.Next(1, 4);
            for (int e = 0; e < edits; e++)
            {
                int at = random.Next(8, mutated.Length);
                mutated[at] = random.Next(3) switch
                {
                    0 => (byte)random.Next(256),
                    1 => (byte)(mutated[at] ^ (1 << random.Next(8))),
                    _ => (byte)(random.Next(2) == 0 ? 0xFF : 0x40),
                };
            }

            InstrumentExpectingOnlyOurException(mutated);
        }
    }

    [Fact]
    public void RandomBytesAfterAValidHeaderNeverEscapeAsAnotherException()
    {
        var random = new Random(7);
        for (int round = 0; round < 20000; round++)
        {
            byte[] data = new byte[random.Next(8, 96)];
            random.NextBytes(data);
            byte[] header = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00];
            header.CopyTo(data, 0);
            InstrumentExpectingOnlyOurException(data);
        }
    }

    [Fact]
    public void ExistingExportWithTheFlagNameIsRejected()
    {
        byte[] module = WasmHost.Wat($$"""
            (module
              (memory 1)
              (global (export "{{ModuleInstrumenter.FlagExportName}}") (mut i32) (i32.const 1))
              (func (export "grow") (result i32) (memory.grow (i32.const 1))))
            """);

        var error = Assert.Throws<ModuleRejectedException>(() => ModuleInstrumenter.Instrument(module));
        Assert.Equal(ModuleRejectionCodes.InvalidModule, error.Code);
        Assert.Contains(ModuleInstrumenter.FlagExportName, error.Message);
    }

    [Fact]
    public void InstrumentingTwiceIsRejectedAsANameCollision()
    {
        byte[] once = WasmHost.Instrument(WasmHost.Wat(Sample));

        Assert.Throws<ModuleRejectedException>(() => ModuleInstrumenter.Instrument(once));
    }

    // Module.ConvertText does not validate, so these produce binaries for features the engine disables.
    [Theory]
    [InlineData("(module (memory 1 1 shared) (func (drop (i32.atomic.load (i32.const 0)))))")]
    [InlineData("(module (memory 1) (func (drop (i32.atomic.load (i32.const 0)))))")]
    [InlineData("(module (memory i64 1) (func (drop (memory.grow (i64.const 1)))))")]
    [InlineData("(module (memory 1) (memory 1) (func (drop (memory.grow 1 (i32.const 1)))))")]
    [InlineData("(module (memory 1) (func (drop (memory.grow (i32.const 1))) (drop (i32.load 1 (i32.const 0)))))")]
    [InlineData("(module (tag $e) (func))")]
    [InlineData("(module (func (try_table (nop))))")]
    [InlineData("(module (type $s (struct (field i32))) (func (drop (struct.new_default $s))))")]
    [InlineData("(module (type $t (func)) (func (param (ref $t)) (call_ref $t (local.get 0))))")]
    [InlineData("(module (func (i64.add128 (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0)) drop drop))")]
    public void DisabledFeaturesAreRejected(string wat)
    {
        byte[] module = WasmHost.Wat(wat);

        Assert.Throws<WasmInstrumentationException>(() => ModuleInstrumenter.Instrument(module));
    }

    private static void InstrumentExpectingOnlyOurException(byte[] input)
    {
        try
        {
            ModuleInstrumenter.Instrument(input);
        }
        catch (WasmInstrumentationException)
        {
        }
    }
}
