using WasmWizard.Executor.Sandbox.Instrumentation;
namespace WasmWizard.Executor.Tests.Sandbox.Instrumentation;

/// <summary>Minimal, test-only section splitter used to compare modules byte for byte.</summary>
internal static class WasmSections
{
    public static List<(byte Id, byte[] Content)> Split(byte[] module)
    {
        var sections = new List<(byte Id, byte[] Content)>();
        int position = 8;
        while (position < module.Length)
        {
            byte id = module[position++];
            int size = (int)ReadU32(module, ref position);
            sections.Add((id, module[position..(position + size)]));
            position += size;
        }

        return sections;
    }

    /// <summary>Splits a vector section into its element count and the bytes of its entries.</summary>
    public static (uint Count, byte[] Entries) SplitVector(byte[] content)
    {
        int position = 0;
        uint count = ReadU32(content, ref position);
        return (count, content[position..]);
    }

    public static uint ReadU32(byte[] data, ref int position)
    {
        uint result = 0;
        int shift = 0;
        byte b;
        do
        {
            b = data[position++];
            result |= (uint)(b & 0x7F) << shift;
            shift += 7;
        }
        while ((b & 0x80) != 0);

        return result;
    }
}
