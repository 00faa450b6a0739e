using System.Globalization;
using WasmWizard.Tests.Shared;

namespace WasmWizard.LoadGenerator;

/// <summary>The WASI commands the runaway and memory modes upload, built from WAT in process.</summary>
public static class GuestModules
{
    private const int WasmPage = 64 * 1024;
    private const int OsPage = 4096;

    /// <summary>Spins in <c>_start</c> forever: only the deadline's epoch interruption can end it.</summary>
    public static byte[] Loop { get; } = Wat.Compile(Wat.Command("""
        (func (export "_start") (loop $spin (br $spin)))
        """));

    /// <summary>Sleeps in <c>poll_oneoff</c> an hour at a time, forever: only the run's clock can end it.</summary>
    public static byte[] Sleep { get; } = Wat.Compile(Wat.Command("""
        (func (export "_start") (loop $nap (call $sleep (i64.const 3600000000000)) (br $nap)))
        """));

    /// <summary>Spins in its start function, so the run never gets as far as <c>_start</c>.</summary>
    public static byte[] StartLoop { get; } = Wat.Compile(Wat.Command("""
        (func $spin (loop $again (br $again)))
        (start $spin)
        (func (export "_start"))
        """));

    /// <summary>
    /// Writes one byte into each 4 KiB page of <paramref name="touchKib"/> KiB of linear memory (above the first
    /// 64 KiB page, which holds the sleep's structures), so those pages are really resident, then sleeps
    /// <paramref name="holdMs"/> so that many runs overlap, then exits 0.
    /// </summary>
    public static byte[] Toucher(int touchKib, int holdMs)
    {
        var bytes = touchKib * 1024;
        var pages = 1 + ((bytes + WasmPage - 1) / WasmPage);
        var body = string.Create(CultureInfo.InvariantCulture, $$"""
            (func (export "_start")
              (local $at i32)
              (local.set $at (i32.const {{WasmPage}}))
              (block $done
                (loop $touch
                  (br_if $done (i32.ge_u (local.get $at) (i32.const {{WasmPage + bytes}})))
                  (i32.store8 (local.get $at) (i32.const 1))
                  (local.set $at (i32.add (local.get $at) (i32.const {{OsPage}})))
                  (br $touch)))
              (call $sleep (i64.const {{holdMs * 1_000_000L}})))
            """);
        return Wat.Compile(Wat.Command(body, $"(memory (export \"memory\") {pages})"));
    }
}
