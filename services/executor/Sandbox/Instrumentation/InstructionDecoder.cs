namespace WasmWizard.Executor.Sandbox.Instrumentation;

/// <summary>
/// Decodes instructions with all their immediates so that a 0x40 byte inside an immediate (an empty block type,
/// <c>i32.const -64</c>, a float constant, a SIMD shuffle mask, ...) is never mistaken for <c>memory.grow</c>.
/// Only the feature set enabled by the engine is understood; anything else is refused.
/// </summary>
internal static class InstructionDecoder
{
    private const byte MemoryGrow = 0x40;
    private const byte Call = 0x10;
    private const byte CallIndirect = 0x11;
    private const byte ReturnCall = 0x12;
    private const byte ReturnCallIndirect = 0x13;
    private const byte Misc = 0xFC;
    private const byte Simd = 0xFD;

    // Each access may be the first touch of a page, a fault of a few µs in the kernel: a long enough straight line
    // of them ran 0.3 s past the deadline with no loop or call in it. With a check every this many, it cannot.
    private const int MaxAccessesBetweenChecks = 1000;
    private const uint LastRelaxedSimdOpcode = 0x113;

    /// <summary>
    /// Moves past one expression, including its closing <c>end</c>, and records the byte range of every
    /// <c>memory.grow</c> it contains and of every instruction that may run long outside the engine's deadline
    /// checks (see <see cref="InstrumentationSite"/>); a call counts when its callee is one of the first
    /// <paramref name="importedFunctions"/> functions, the imported ones.
    /// </summary>
    public static void SkipExpression(
        ref WasmReader reader, List<InstrumentationSite>? sites, uint importedFunctions = 0)
    {
        // The expression's own closing `end` is what brings the depth to zero.
        int depth = 1;
        int accesses = 0;
        while (depth > 0)
        {
            int start = reader.Position;
            int sitesBefore = sites?.Count ?? 0;
            byte opcode = reader.ReadByte();
            switch (opcode)
            {
                case 0x03:
                    // A loop's head checks the deadline on every turn.
                    SkipBlockType(ref reader);
                    depth++;
                    accesses = 0;
                    break;
                case 0x02 or 0x04:
                    SkipBlockType(ref reader);
                    depth++;
                    break;
                case 0x0B:
                    depth--;
                    break;
                case MemoryGrow:
                    RequireMemoryZero(ref reader);
                    sites?.Add(new InstrumentationSite(start, reader.Position, SiteKind.MemoryGrow));
                    break;
                case Call or ReturnCall:
                    if (reader.ReadU32() < importedFunctions)
                    {
                        sites?.Add(new InstrumentationSite(start, reader.Position, SiteKind.Checkpoint));
                    }

                    break;
                case CallIndirect or ReturnCallIndirect:
                    // A table may hold imported functions as well as the module's own.
                    reader.ReadU32();
                    reader.ReadU32();
                    sites?.Add(new InstrumentationSite(start, reader.Position, SiteKind.Checkpoint));
                    break;
                case Misc:
                    // Instructions whose work grows with an operand. memory.init copies from a data segment, which
                    // the module's size bounds; tables hold at most a few hundred thousand elements.
                    var kind = SkipMiscImmediates(ref reader) switch
                    {
                        10 => SiteKind.MemoryCopy,
                        11 => SiteKind.MemoryFill,
                        8 or 12 or 14 or 15 or 17 => SiteKind.Checkpoint,
                        _ => (SiteKind?)null,
                    };
                    if (kind is { } found)
                    {
                        sites?.Add(new InstrumentationSite(start, reader.Position, found));
                    }

                    break;
                default:
                    SkipImmediates(ref reader, opcode);
                    // Loads, stores, and SIMD instructions (some of which load or store), counted alike.
                    if (opcode is (>= 0x28 and <= 0x3E) or Simd && ++accesses >= MaxAccessesBetweenChecks)
                    {
                        sites?.Add(new InstrumentationSite(start, start, SiteKind.Checkpoint));
                    }

                    break;
            }

            // Every site is a call whose callee's entry checks the deadline.
            if (sites is not null && sites.Count > sitesBefore)
            {
                accesses = 0;
            }
        }
    }

    public static bool IsValueType(byte b) => b is 0x7F or 0x7E or 0x7D or 0x7C or 0x7B or 0x70 or 0x6F;

    public static void SkipValueType(ref WasmReader reader)
    {
        byte b = reader.ReadByte();
        if (!IsValueType(b))
        {
            throw reader.Fail($"unsupported value type 0x{b:X2}");
        }
    }

    private static void SkipImmediates(ref WasmReader reader, byte opcode)
    {
        switch (opcode)
        {
            case 0x00 or 0x01 or 0x05 or 0x0F or 0x1A or 0x1B or (>= 0x45 and <= 0xC4) or 0xD1:
                break;
            case 0x0C or 0x0D or 0x10 or 0x12 or (>= 0x20 and <= 0x26) or 0xD2:
                reader.ReadU32();
                break;
            case 0x11 or 0x13:
                reader.ReadU32();
                reader.ReadU32();
                break;
            case 0x0E:
                // The label vector is followed by the default label, hence one more than the count.
                long labels = reader.ReadU32() + 1L;
                for (long i = 0; i < labels; i++)
                {
                    reader.ReadU32();
                }

                break;
            case 0x1C:
                uint types = reader.ReadU32();
                for (uint i = 0; i < types; i++)
                {
                    SkipValueType(ref reader);
                }

                break;
            case >= 0x28 and <= 0x3E:
                SkipMemArg(ref reader);
                break;
            case 0x3F:
                RequireMemoryZero(ref reader);
                break;
            case 0x41:
                reader.ReadSigned(32);
                break;
            case 0x42:
                reader.ReadSigned(64);
                break;
            case 0x43:
                reader.Skip(4);
                break;
            case 0x44:
                reader.Skip(8);
                break;
            case 0xD0:
                byte heapType = reader.ReadByte();
                if (heapType is not (0x70 or 0x6F))
                {
                    throw reader.Fail($"unsupported heap type 0x{heapType:X2}");
                }

                break;
            case Misc:
                SkipMiscImmediates(ref reader);
                break;
            case 0xFD:
                SkipSimdImmediates(ref reader);
                break;
            default:
                throw reader.Fail(DescribeUnsupported(opcode));
        }
    }

    private static uint SkipMiscImmediates(ref WasmReader reader)
    {
        uint subOpcode = reader.ReadU32();
        switch (subOpcode)
        {
            case <= 7:
                break;
            case 8:
                reader.ReadU32();
                RequireMemoryZero(ref reader);
                break;
            case 10:
                RequireMemoryZero(ref reader);
                RequireMemoryZero(ref reader);
                break;
            case 11:
                RequireMemoryZero(ref reader);
                break;
            case 12 or 14:
                reader.ReadU32();
                reader.ReadU32();
                break;
            case 9 or 13 or 15 or 16 or 17:
                reader.ReadU32();
                break;
            default:
                throw reader.Fail($"unsupported instruction 0xFC {subOpcode}");
        }

        return subOpcode;
    }

    private static void SkipSimdImmediates(ref WasmReader reader)
    {
        uint subOpcode = reader.ReadU32();
        switch (subOpcode)
        {
            case <= 11 or 92 or 93:
                SkipMemArg(ref reader);
                break;
            case 12 or 13:
                reader.Skip(16);
                break;
            case >= 21 and <= 34:
                reader.Skip(1);
                break;
            case >= 84 and <= 91:
                SkipMemArg(ref reader);
                reader.Skip(1);
                break;
            case <= LastRelaxedSimdOpcode:
                break;
            default:
                throw reader.Fail($"unsupported instruction 0xFD {subOpcode}");
        }
    }

    private static void SkipBlockType(ref WasmReader reader)
    {
        byte b = reader.PeekByte();
        if (b == 0x40 || IsValueType(b))
        {
            reader.ReadByte();
            return;
        }

        // Multi-value block types are type indices encoded as a non-negative s33; negative values would be
        // value types we do not support (typed references).
        if (reader.ReadSigned(33) < 0)
        {
            throw reader.Fail($"unsupported block type 0x{b:X2}");
        }
    }

    private static void SkipMemArg(ref WasmReader reader)
    {
        uint align = reader.ReadU32();
        if ((align & 0x40) != 0)
        {
            RequireMemoryZero(ref reader);
        }

        reader.ReadU64();
    }

    // The helper we substitute only grows memory 0, so any other memory index must be refused, not rewritten.
    private static void RequireMemoryZero(ref WasmReader reader)
    {
        if (reader.ReadU32() != 0)
        {
            throw reader.Fail("multi-memory is not supported");
        }
    }

    private static string DescribeUnsupported(byte opcode) => opcode switch
    {
        0xFE => "threads instructions (0xFE) are not supported",
        0xFB => "GC instructions (0xFB) are not supported",
        (>= 0x06 and <= 0x0A) or 0x18 or 0x19 or 0x1F => $"exception handling opcode 0x{opcode:X2} is not supported",
        0x14 or 0x15 or (>= 0xD3 and <= 0xD6) => $"typed function reference opcode 0x{opcode:X2} is not supported",
        _ => $"unknown opcode 0x{opcode:X2}",
    };
}
