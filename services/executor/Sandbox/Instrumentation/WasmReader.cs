namespace WasmWizard.Executor.Sandbox.Instrumentation;

/// <summary>
/// Bounds-checked cursor over a slice of a module. Positions are absolute offsets into the whole module so that
/// the rewriter can splice the original bytes; every overrun becomes a <see cref="WasmInstrumentationException"/>.
/// </summary>
internal ref struct WasmReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly int _origin;
    private int _offset;

    public WasmReader(ReadOnlySpan<byte> data, int origin)
    {
        _data = data;
        _origin = origin;
        _offset = 0;
    }

    public readonly int Position => _origin + _offset;

    public readonly bool AtEnd => _offset == _data.Length;

    public byte ReadByte()
    {
        if (_offset >= _data.Length)
        {
            throw Fail("unexpected end of data");
        }

        return _data[_offset++];
    }

    public readonly byte PeekByte()
    {
        if (_offset >= _data.Length)
        {
            throw Fail("unexpected end of data");
        }

        return _data[_offset];
    }

    public void Skip(uint count)
    {
        if (count > (uint)(_data.Length - _offset))
        {
            throw Fail($"{count} bytes announced but only {_data.Length - _offset} remain");
        }

        _offset += (int)count;
    }

    /// <summary>Returns a reader over the next <paramref name="length"/> bytes and moves past them.</summary>
    public WasmReader ReadSubReader(uint length)
    {
        int start = _offset;
        Skip(length);
        return new WasmReader(_data.Slice(start, (int)length), _origin + start);
    }

    public readonly ReadOnlySpan<byte> Remaining() => _data[_offset..];

    public uint ReadU32() => (uint)ReadUnsigned(32);

    public ulong ReadU64() => ReadUnsigned(64);

    /// <summary>Reads a signed LEB128 of the given width; block types use 33 bits so callers get a long.</summary>
    public long ReadSigned(int bits)
    {
        long result = 0;
        int shift = 0;
        byte b;
        do
        {
            if (shift >= (bits + 6) / 7 * 7)
            {
                throw Fail($"signed LEB128 longer than {bits} bits");
            }

            b = ReadByte();
            result |= (long)(b & 0x7F) << Math.Min(shift, 63);
            shift += 7;
        }
        while ((b & 0x80) != 0);

        if (shift < 64 && (b & 0x40) != 0)
        {
            result |= -1L << shift;
        }

        return result;
    }

    /// <summary>Reads a length-prefixed byte string (names, custom section names).</summary>
    public ReadOnlySpan<byte> ReadName()
    {
        uint length = ReadU32();
        int start = _offset;
        Skip(length);
        return _data.Slice(start, (int)length);
    }

    public readonly WasmInstrumentationException Fail(string message) =>
        new($"{message} at offset {Position}");

    private ulong ReadUnsigned(int bits)
    {
        ulong result = 0;
        int shift = 0;
        while (true)
        {
            byte b = ReadByte();
            ulong payload = (ulong)(b & 0x7F);

            // The last permitted byte may only carry the bits that still fit, so overlong or overflowing
            // encodings are rejected instead of being silently truncated.
            if (shift + 7 > bits && (payload >> (bits - shift)) != 0)
            {
                throw Fail($"unsigned LEB128 overflows {bits} bits");
            }

            result |= payload << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }

            shift += 7;
            if (shift >= bits)
            {
                throw Fail($"unsigned LEB128 longer than {bits} bits");
            }
        }
    }
}
