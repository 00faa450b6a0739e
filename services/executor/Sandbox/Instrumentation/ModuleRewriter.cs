using WasmWizard.Shared.Contracts;

namespace WasmWizard.Executor.Sandbox.Instrumentation;

/// <summary>
/// One forward pass over a module that copies it section by section while appending the flag global, its export,
/// the helper's type and function, the checkpoint's type and (empty) function, replacing each <c>memory.grow</c>
/// with a call to the helper and putting a call to the checkpoint in front of each other
/// <see cref="InstrumentationSite"/>. Sections we only need counts from are still decoded so that malformed input
/// fails here, not later.
/// </summary>
internal ref struct ModuleRewriter
{
    private const byte CustomId = 0;
    private const byte TypeId = 1;
    private const byte ImportId = 2;
    private const byte FunctionId = 3;
    private const byte TableId = 4;
    private const byte MemoryId = 5;
    private const byte GlobalId = 6;
    private const byte ExportId = 7;
    private const byte CodeId = 10;
    private const byte TagId = 13;
    private const int TypeRank = 1;
    private const int FunctionRank = 3;
    private const int GlobalRank = 7;
    private const int ExportRank = 8;
    private const int CodeRank = 12;
    private const byte GlobalExportKind = 3;
    private const int HeaderLength = 8;

    private readonly ReadOnlySpan<byte> _module;
    private readonly MemoryStream _output;
    private readonly List<InstrumentationSite> _sites = [];
    private int _lastRank;
    private int _siteCount;
    private uint _typeCount;
    private uint _importedFunctions;
    private uint _definedFunctions;
    private uint _importedGlobals;
    private uint _definedGlobals;
    private uint _memories;
    private bool _sawType;
    private bool _sawFunction;
    private bool _sawGlobal;
    private bool _sawExport;
    private bool _sawCode;

    public ModuleRewriter(ReadOnlySpan<byte> module)
    {
        _module = module;
        _output = new MemoryStream(module.Length + 64);
    }

    private readonly uint HelperTypeIndex => _typeCount;

    private readonly uint CheckpointTypeIndex => _typeCount + 1;

    private readonly uint HelperFunctionIndex => _importedFunctions + _definedFunctions;

    private readonly uint CheckpointFunctionIndex => HelperFunctionIndex + 1;

    private readonly uint FillFunctionIndex => HelperFunctionIndex + 2;

    private readonly uint CopyFunctionIndex => HelperFunctionIndex + 3;

    private readonly uint BulkTypeIndex => _typeCount + 2;

    private readonly uint FlagGlobalIndex => _importedGlobals + _definedGlobals;

    public byte[]? Rewrite()
    {
        ReadOnlySpan<byte> header = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00];
        if (_module.Length < HeaderLength || !_module[..HeaderLength].SequenceEqual(header))
        {
            throw new WasmInstrumentationException("not a WebAssembly core module (bad magic or version)");
        }

        _output.Write(header);
        var reader = new WasmReader(_module[HeaderLength..], HeaderLength);
        while (!reader.AtEnd)
        {
            int sectionStart = reader.Position;
            byte id = reader.ReadByte();
            WasmReader content = reader.ReadSubReader(reader.ReadU32());
            if (id != CustomId)
            {
                int rank = RankOf(id, ref reader);
                if (rank <= _lastRank)
                {
                    throw reader.Fail($"section {id} is duplicated or out of order");
                }

                AddMissingSectionsBefore(rank);
                _lastRank = rank;
            }

            ReadOnlySpan<byte> original = _module[sectionStart..reader.Position];
            switch (id)
            {
                case TypeId:
                    RewriteTypeSection(ref content);
                    break;
                case ImportId:
                    ScanImportSection(ref content);
                    _output.Write(original);
                    break;
                case FunctionId:
                    RewriteFunctionSection(ref content);
                    break;
                case TableId:
                    ScanTableSection(ref content);
                    _output.Write(original);
                    break;
                case MemoryId:
                    ScanMemorySection(ref content);
                    _output.Write(original);
                    break;
                case GlobalId:
                    RewriteGlobalSection(ref content);
                    break;
                case ExportId:
                    RewriteExportSection(ref content);
                    break;
                case CodeId:
                    RewriteCodeSection(ref content);
                    break;
                case CustomId:
                    content.ReadName();
                    _output.Write(original);
                    break;
                default:
                    // Start, element, data count and data hold only indices that the rewrite never shifts.
                    _output.Write(original);
                    break;
            }
        }

        AddMissingSectionsBefore(int.MaxValue);
        return _siteCount == 0 ? null : _output.ToArray();
    }

    // Position of each known section id in the mandatory order; the tag section (13) would sit between memory and
    // global but belongs to exception handling, which the engine disables.
    private static int RankOf(byte id, ref WasmReader reader) => id switch
    {
        TagId => throw reader.Fail("exception handling (tag section) is not supported"),
        >= TypeId and <= MemoryId => id,
        >= GlobalId and <= 9 => id + 1,
        12 => 11,
        CodeId => CodeRank,
        11 => 13,
        _ => throw reader.Fail($"unknown section id {id}"),
    };

    // Sections we must extend but that the module lacks are created at the first point where the mandatory order
    // allows them, i.e. just before the first present section that ranks after them.
    private void AddMissingSectionsBefore(int rank)
    {
        if (!_sawType && rank > TypeRank)
        {
            _sawType = true;
            WriteSection(TypeId, AppendedTypeCount, [], AppendedTypes);
        }

        if (!_sawFunction && rank > FunctionRank)
        {
            _sawFunction = true;
            WriteSection(FunctionId, AppendedFunctionCount, [], AppendedFunctions());
        }

        if (!_sawGlobal && rank > GlobalRank)
        {
            _sawGlobal = true;
            WriteSection(GlobalId, 1, [], FlagGlobal);
        }

        if (!_sawExport && rank > ExportRank)
        {
            _sawExport = true;
            WriteSection(ExportId, 1, [], FlagExport());
        }

        if (!_sawCode && rank > CodeRank)
        {
            _sawCode = true;
            WriteSection(CodeId, AppendedFunctionCount, [], AppendedBodies());
        }
    }

    private const uint AppendedTypeCount = 3;
    private const uint AppendedFunctionCount = 4;

    // The growth helper's (i32) -> i32, the checkpoint's () -> (), the bulk helpers' (i32 i32 i32) -> ().
    private static ReadOnlySpan<byte> AppendedTypes =>
        [0x60, 0x01, 0x7F, 0x01, 0x7F, 0x60, 0x00, 0x00, 0x60, 0x03, 0x7F, 0x7F, 0x7F, 0x00];

    // No locals, `end`: all it does is what every function entry does, check the epoch deadline.
    private static ReadOnlySpan<byte> CheckpointBody => [0x02, 0x00, 0x0B];

    // No locals, `unreachable`: the memory helpers of a module without a memory, which nothing calls, since they
    // could not validate there.
    private static ReadOnlySpan<byte> UnreachableBody => [0x03, 0x00, 0x00, 0x0B];

    private readonly byte[] AppendedBodies() => _memories == 0
        ? [.. UnreachableBody, .. CheckpointBody, .. UnreachableBody, .. UnreachableBody]
        : [.. HelperBody(), .. CheckpointBody, .. Sized(FillCode), .. Sized(CopyCode)];

    private static byte[] Sized(ReadOnlySpan<byte> code) => [.. LebU32((uint)code.Length), .. code];

    private readonly byte[] AppendedFunctions() =>
    [
        .. LebU32(HelperTypeIndex), .. LebU32(CheckpointTypeIndex), .. LebU32(BulkTypeIndex), .. LebU32(BulkTypeIndex),
    ];

    // fill(d, v, n), the same as memory.fill but a MiB per turn of a loop, whose head checks the deadline. A range
    // out of bounds goes to memory.fill whole, which traps before writing anything, as the original did.
    //   if (i64(d) + i64(n) > i64(memory.size) * 65536) { memory.fill(d, v, n); return }
    //   block loop  br_if 1 (n <= 1 MiB)  memory.fill(d, v, 1 MiB)  d += 1 MiB  n -= 1 MiB  br 0  end end
    //   memory.fill(d, v, n)
    private static ReadOnlySpan<byte> FillCode =>
    [
        0x00,
        0x20, 0x00, 0xAD, 0x20, 0x02, 0xAD, 0x7C, 0x3F, 0x00, 0xAD, 0x42, 0x80, 0x80, 0x04, 0x7E, 0x56,
        0x04, 0x40, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xFC, 0x0B, 0x00, 0x0F, 0x0B,
        0x02, 0x40, 0x03, 0x40,
        0x20, 0x02, 0x41, 0x80, 0x80, 0xC0, 0x00, 0x4D, 0x0D, 0x01,
        0x20, 0x00, 0x20, 0x01, 0x41, 0x80, 0x80, 0xC0, 0x00, 0xFC, 0x0B, 0x00,
        0x20, 0x00, 0x41, 0x80, 0x80, 0xC0, 0x00, 0x6A, 0x21, 0x00,
        0x20, 0x02, 0x41, 0x80, 0x80, 0xC0, 0x00, 0x6B, 0x21, 0x02,
        0x0C, 0x00, 0x0B, 0x0B,
        0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xFC, 0x0B, 0x00,
        0x0B,
    ];

    // copy(d, s, n), the same as memory.copy a MiB per turn: upwards when d <= s, else from the top down, so that
    // no step overwrites bytes a later step still has to read. Out of bounds: memory.copy whole, which traps.
    //   if (i64(d) + i64(n) > size | i64(s) + i64(n) > size) { memory.copy(d, s, n); return }
    //   if (d <= s) { block loop  br_if 1 (n <= 1 MiB)  memory.copy(d, s, 1 MiB)  d += 1 MiB  s += 1 MiB
    //                  n -= 1 MiB  br 0  end end }
    //   else { block loop  br_if 1 (n <= 1 MiB)  n -= 1 MiB  memory.copy(d + n, s + n, 1 MiB)  br 0  end end }
    //   memory.copy(d, s, n)
    private static ReadOnlySpan<byte> CopyCode =>
    [
        0x00,
        0x20, 0x00, 0xAD, 0x20, 0x02, 0xAD, 0x7C, 0x3F, 0x00, 0xAD, 0x42, 0x80, 0x80, 0x04, 0x7E, 0x56,
        0x20, 0x01, 0xAD, 0x20, 0x02, 0xAD, 0x7C, 0x3F, 0x00, 0xAD, 0x42, 0x80, 0x80, 0x04, 0x7E, 0x56,
        0x72,
        0x04, 0x40, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xFC, 0x0A, 0x00, 0x00, 0x0F, 0x0B,
        0x20, 0x00, 0x20, 0x01, 0x4D,
        0x04, 0x40,
        0x02, 0x40, 0x03, 0x40,
        0x20, 0x02, 0x41, 0x80, 0x80, 0xC0, 0x00, 0x4D, 0x0D, 0x01,
        0x20, 0x00, 0x20, 0x01, 0x41, 0x80, 0x80, 0xC0, 0x00, 0xFC, 0x0A, 0x00, 0x00,
        0x20, 0x00, 0x41, 0x80, 0x80, 0xC0, 0x00, 0x6A, 0x21, 0x00,
        0x20, 0x01, 0x41, 0x80, 0x80, 0xC0, 0x00, 0x6A, 0x21, 0x01,
        0x20, 0x02, 0x41, 0x80, 0x80, 0xC0, 0x00, 0x6B, 0x21, 0x02,
        0x0C, 0x00, 0x0B, 0x0B,
        0x05,
        0x02, 0x40, 0x03, 0x40,
        0x20, 0x02, 0x41, 0x80, 0x80, 0xC0, 0x00, 0x4D, 0x0D, 0x01,
        0x20, 0x02, 0x41, 0x80, 0x80, 0xC0, 0x00, 0x6B, 0x21, 0x02,
        0x20, 0x00, 0x20, 0x02, 0x6A, 0x20, 0x01, 0x20, 0x02, 0x6A, 0x41, 0x80, 0x80, 0xC0, 0x00,
        0xFC, 0x0A, 0x00, 0x00,
        0x0C, 0x00, 0x0B, 0x0B,
        0x0B,
        0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xFC, 0x0A, 0x00, 0x00,
        0x0B,
    ];

    // Mutable i64 initialised with `i64.const 0`.
    private static ReadOnlySpan<byte> FlagGlobal => [0x7E, 0x01, 0x42, 0x00, 0x0B];

    private void RewriteTypeSection(ref WasmReader content)
    {
        _sawType = true;
        uint count = content.ReadU32();
        int entriesStart = content.Position;
        for (uint i = 0; i < count; i++)
        {
            byte form = content.ReadByte();
            if (form != 0x60)
            {
                throw content.Fail($"unsupported type form 0x{form:X2}");
            }

            SkipValueTypes(ref content);
            SkipValueTypes(ref content);
        }

        RequireEnd(ref content);
        _typeCount = count;
        WriteSection(TypeId, count + AppendedTypeCount, _module[entriesStart..content.Position], AppendedTypes);
    }

    private void ScanImportSection(ref WasmReader content)
    {
        uint count = content.ReadU32();
        for (uint i = 0; i < count; i++)
        {
            content.ReadName();
            content.ReadName();
            byte kind = content.ReadByte();
            switch (kind)
            {
                case 0:
                    content.ReadU32();
                    _importedFunctions++;
                    break;
                case 1:
                    SkipTableType(ref content);
                    break;
                case 2:
                    SkipLimits(ref content);
                    CountMemories(1, ref content);
                    break;
                case 3:
                    SkipGlobalType(ref content);
                    _importedGlobals++;
                    break;
                default:
                    throw content.Fail($"unsupported import kind {kind}");
            }
        }

        RequireEnd(ref content);
    }

    private void RewriteFunctionSection(ref WasmReader content)
    {
        _sawFunction = true;
        uint count = content.ReadU32();
        int entriesStart = content.Position;
        for (uint i = 0; i < count; i++)
        {
            content.ReadU32();
        }

        RequireEnd(ref content);
        _definedFunctions = count;
        WriteSection(
            FunctionId, count + AppendedFunctionCount, _module[entriesStart..content.Position], AppendedFunctions());
    }

    private static void ScanTableSection(ref WasmReader content)
    {
        uint count = content.ReadU32();
        for (uint i = 0; i < count; i++)
        {
            SkipTableType(ref content);
        }

        RequireEnd(ref content);
    }

    private void ScanMemorySection(ref WasmReader content)
    {
        uint count = content.ReadU32();
        for (uint i = 0; i < count; i++)
        {
            SkipLimits(ref content);
        }

        RequireEnd(ref content);
        CountMemories(count, ref content);
    }

    private void RewriteGlobalSection(ref WasmReader content)
    {
        _sawGlobal = true;
        uint count = content.ReadU32();
        int entriesStart = content.Position;
        for (uint i = 0; i < count; i++)
        {
            SkipGlobalType(ref content);
            InstructionDecoder.SkipExpression(ref content, null);
        }

        RequireEnd(ref content);
        _definedGlobals = count;
        WriteSection(GlobalId, count + 1, _module[entriesStart..content.Position], FlagGlobal);
    }

    private void RewriteExportSection(ref WasmReader content)
    {
        _sawExport = true;
        uint count = content.ReadU32();
        int entriesStart = content.Position;
        for (uint i = 0; i < count; i++)
        {
            // A guest exporting our name could otherwise spoof or hide the flag.
            if (content.ReadName().SequenceEqual(ModuleInstrumenter.FlagExportNameUtf8))
            {
                throw new ModuleRejectedException(
                    ModuleRejectionCodes.InvalidModule,
                    $"The export name {ModuleInstrumenter.FlagExportName} is reserved by this service.");
            }

            byte kind = content.ReadByte();
            if (kind > GlobalExportKind)
            {
                throw content.Fail($"unsupported export kind {kind}");
            }

            content.ReadU32();
        }

        RequireEnd(ref content);
        WriteSection(ExportId, count + 1, _module[entriesStart..content.Position], FlagExport());
    }

    private void RewriteCodeSection(ref WasmReader content)
    {
        _sawCode = true;
        uint count = content.ReadU32();
        if (count != _definedFunctions)
        {
            throw content.Fail($"code section has {count} bodies but {_definedFunctions} functions are declared");
        }

        var section = new MemoryStream();
        WriteU32(section, count + AppendedFunctionCount);
        for (uint i = 0; i < count; i++)
        {
            int entryStart = content.Position;
            WasmReader body = content.ReadSubReader(content.ReadU32());
            int bodyStart = body.Position;
            _sites.Clear();
            SkipLocals(ref body);
            InstructionDecoder.SkipExpression(ref body, _sites, _importedFunctions);
            if (!body.AtEnd)
            {
                throw body.Fail("function body continues after its final end");
            }

            if (_sites.Count == 0)
            {
                section.Write(_module[entryStart..content.Position]);
                continue;
            }

            _siteCount += _sites.Count;
            byte[] rewritten = RewriteSites(bodyStart, body.Position);
            WriteU32(section, (uint)rewritten.Length);
            section.Write(rewritten);
        }

        RequireEnd(ref content);
        section.Write(AppendedBodies());
        WriteSectionHeader(CodeId, (uint)section.Length);
        section.Position = 0;
        section.CopyTo(_output);
    }

    // Re-emits one body (without its size prefix) with every recorded memory.grow swapped for `call helper` and
    // `call checkpoint` in front of every other site, which itself is kept. Neither call touches the operand stack.
    private readonly byte[] RewriteSites(int bodyStart, int bodyEnd)
    {
        var body = new MemoryStream(bodyEnd - bodyStart + (_sites.Count * 6));
        int copied = bodyStart;
        foreach (var site in _sites)
        {
            body.Write(_module[copied..site.Start]);
            body.WriteByte(0x10);
            WriteU32(body, site.Kind switch
            {
                SiteKind.MemoryGrow => HelperFunctionIndex,
                SiteKind.MemoryFill => FillFunctionIndex,
                SiteKind.MemoryCopy => CopyFunctionIndex,
                _ => CheckpointFunctionIndex,
            });

            // A checkpoint keeps the instruction after it; the others replace theirs.
            copied = site.Kind == SiteKind.Checkpoint ? site.Start : site.End;
        }

        body.Write(_module[copied..bodyEnd]);
        return body.ToArray();
    }

    // One extra i32 local (1) keeps the result. On failure the flag gets the size in pages the guest asked for,
    // memory.size + delta computed in i64 so a huge delta cannot wrap; the last refusal wins, since that is the
    // one a failing guest gave up on. It returns exactly what memory.grow returned, so callers see no difference:
    // local.get 0; memory.grow 0; local.tee 1; i32.const -1; i32.eq;
    // if; memory.size 0; i64.extend_i32_u; local.get 0; i64.extend_i32_u; i64.add; global.set flag; end;
    // local.get 1; end.
    private readonly byte[] HelperBody()
    {
        var code = new MemoryStream();
        code.Write([0x01, 0x01, 0x7F, 0x20, 0x00, 0x40, 0x00, 0x22, 0x01, 0x41, 0x7F, 0x46, 0x04, 0x40]);
        code.Write([0x3F, 0x00, 0xAD, 0x20, 0x00, 0xAD, 0x7C, 0x24]);
        WriteU32(code, FlagGlobalIndex);
        code.Write([0x0B, 0x20, 0x01, 0x0B]);
        var entry = new MemoryStream();
        WriteU32(entry, (uint)code.Length);
        code.Position = 0;
        code.CopyTo(entry);
        return entry.ToArray();
    }

    private readonly byte[] FlagExport()
    {
        var entry = new MemoryStream();
        ReadOnlySpan<byte> name = ModuleInstrumenter.FlagExportNameUtf8;
        WriteU32(entry, (uint)name.Length);
        entry.Write(name);
        entry.WriteByte(GlobalExportKind);
        WriteU32(entry, FlagGlobalIndex);
        return entry.ToArray();
    }

    private void CountMemories(uint count, ref WasmReader reader)
    {
        if (_memories + (ulong)count > 1)
        {
            throw reader.Fail("multi-memory is not supported");
        }

        _memories += count;
    }

    private readonly void WriteSection(byte id, uint count, ReadOnlySpan<byte> entries, ReadOnlySpan<byte> appended)
    {
        byte[] countBytes = LebU32(count);
        WriteSectionHeader(id, (uint)(countBytes.Length + entries.Length + appended.Length));
        _output.Write(countBytes);
        _output.Write(entries);
        _output.Write(appended);
    }

    private readonly void WriteSectionHeader(byte id, uint size)
    {
        _output.WriteByte(id);
        WriteU32(_output, size);
    }

    private static void SkipLocals(ref WasmReader body)
    {
        uint groups = body.ReadU32();
        for (uint i = 0; i < groups; i++)
        {
            body.ReadU32();
            InstructionDecoder.SkipValueType(ref body);
        }
    }

    private static void SkipValueTypes(ref WasmReader reader)
    {
        uint count = reader.ReadU32();
        for (uint i = 0; i < count; i++)
        {
            InstructionDecoder.SkipValueType(ref reader);
        }
    }

    private static void SkipTableType(ref WasmReader reader)
    {
        byte referenceType = reader.ReadByte();
        if (referenceType is not (0x70 or 0x6F))
        {
            throw reader.Fail($"unsupported table type 0x{referenceType:X2}");
        }

        SkipLimits(ref reader);
    }

    private static void SkipGlobalType(ref WasmReader reader)
    {
        InstructionDecoder.SkipValueType(ref reader);
        byte mutability = reader.ReadByte();
        if (mutability > 1)
        {
            throw reader.Fail($"unsupported global mutability 0x{mutability:X2}");
        }
    }

    private static void SkipLimits(ref WasmReader reader)
    {
        byte flags = reader.ReadByte();
        switch (flags)
        {
            case 0:
                reader.ReadU32();
                break;
            case 1:
                reader.ReadU32();
                reader.ReadU32();
                break;
            case 2 or 3:
                throw reader.Fail("shared memories (threads) are not supported");
            default:
                throw reader.Fail($"unsupported limits flags 0x{flags:X2} (memory64 or custom page sizes)");
        }
    }

    private static void RequireEnd(ref WasmReader content)
    {
        if (!content.AtEnd)
        {
            throw content.Fail("section has trailing bytes");
        }
    }

    private static byte[] LebU32(uint value)
    {
        var bytes = new MemoryStream(5);
        WriteU32(bytes, value);
        return bytes.ToArray();
    }

    private static void WriteU32(Stream stream, uint value)
    {
        do
        {
            byte b = (byte)(value & 0x7F);
            value >>= 7;
            stream.WriteByte(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
    }
}
