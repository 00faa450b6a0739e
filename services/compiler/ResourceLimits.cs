using System.Runtime.InteropServices;

namespace WasmWizard.Compiler;

/// <summary>Ceilings this process puts on itself before it touches user bytes.</summary>
internal static partial class ResourceLimits
{
    // Linux resource numbers (the same on x86-64 and arm64).
    private const int RlimitData = 2;
    private const int RlimitCore = 4;

    /// <summary>
    /// Caps the process's data segment (private writable memory, which is where the compiler's allocations go;
    /// reserved-but-unused address space does not count), and turns off core dumps.
    /// </summary>
    public static void Apply(long dataBytes)
    {
        if (!OperatingSystem.IsLinux())
        {
            // TODO: macOS does not enforce RLIMIT_DATA for mmap; there the deadline is the only ceiling.
            return;
        }

        Set(RlimitCore, 0);
        Set(RlimitData, (ulong)dataBytes);
    }

    private static void Set(int resource, ulong value)
    {
        var limit = new RLimit { Current = value, Maximum = value };
        if (SetRLimit(resource, ref limit) != 0)
        {
            throw new InvalidOperationException($"setrlimit({resource}) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetRLimit(int resource, ref RLimit limit);

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }
}
