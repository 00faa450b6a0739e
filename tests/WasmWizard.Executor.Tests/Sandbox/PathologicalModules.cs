namespace WasmWizard.Executor.Tests.Sandbox;

/// <summary>Modules that are valid and small but expensive to compile.</summary>
internal static class PathologicalModules
{
    /// <summary>
    /// A WASI command whose one function has <paramref name="locals"/> locals and a br_table into as many nested
    /// blocks, each writing a local: the optimizing compiler's SSA form grows with locals × blocks, so time and
    /// memory grow quadratically while the module stays a few hundred kilobytes.
    /// </summary>
    public static byte[] ManyLocalsBranchTable(int locals)
    {
        var body = new List<byte>();
        body.AddRange(Leb(1));
        body.AddRange(Leb(locals));
        body.Add(0x7f);
        body.AddRange([0x02, 0x40, 0x03, 0x40]);
        for (var i = 0; i < locals; i++)
        {
            body.AddRange([0x02, 0x40]);
        }

        body.AddRange([0x20, 0x00, 0x0e]);
        body.AddRange(Leb(locals));
        for (var i = 0; i < locals; i++)
        {
            body.AddRange(Leb(i));
        }

        body.AddRange(Leb(0));
        for (var j = 0; j < locals; j++)
        {
            body.Add(0x0b);
            if (j == 0)
            {
                body.Add(0x0c);
                body.AddRange(Leb(locals));
            }
            else
            {
                body.AddRange([0x20, 0x00, 0x41, 0x01, 0x6a, 0x21]);
                body.AddRange(Leb(j));
                body.Add(0x0c);
                body.AddRange(Leb(locals - 1 - j));
            }
        }

        body.AddRange([0x0b, 0x0b]);
        for (var i = 0; i < locals; i++)
        {
            body.Add(0x20);
            body.AddRange(Leb(i));
            body.AddRange([0x20, 0x00, 0x6a, 0x21, 0x00]);
        }

        body.Add(0x0b);

        byte[] start = [0x00, 0x0b];
        var code = new List<byte>(Leb(2));
        code.AddRange(Leb(start.Length));
        code.AddRange(start);
        code.AddRange(Leb(body.Count));
        code.AddRange(body);

        byte[] exports = [0x02, 0x06, .. "memory"u8, 0x02, 0x00, 0x06, .. "_start"u8, 0x00, 0x00];
        return
        [
            0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
            .. Section(1, [0x01, 0x60, 0x00, 0x00]),
            .. Section(3, [0x02, 0x00, 0x00]),
            .. Section(5, [0x01, 0x00, 0x01]),
            .. Section(7, exports),
            .. Section(10, [.. code]),
        ];
    }

    private static byte[] Section(byte id, byte[] content) => [id, .. Leb(content.Length), .. content];

    private static byte[] Leb(int value)
    {
        var bytes = new List<byte>();
        var remaining = (uint)value;
        do
        {
            var b = (byte)(remaining & 0x7f);
            remaining >>= 7;
            bytes.Add(remaining == 0 ? b : (byte)(b | 0x80));
        }
        while (remaining != 0);
        return [.. bytes];
    }
}
