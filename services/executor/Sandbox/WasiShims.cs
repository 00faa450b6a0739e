using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Wasmtime;

namespace WasmWizard.Executor.Sandbox;

/// <summary>
/// Our own versions of the few WASI preview1 calls that can block, that must agree with them on time, or that sit
/// on every run's hot path. Wasmtime's <c>poll_oneoff</c> sleeps in host code where epoch interruption cannot reach
/// it, so a guest could sleep far past its deadline; ours sleeps on the run's clock and ends the run at the
/// deadline. The clocks are shadowed too, so that an absolute monotonic timeout means the same instant to the guest
/// and to us. <c>fd_write</c> copies stdout and stderr straight into the run's buffers on the guest thread, where
/// Wasmtime's output callbacks made the guest wait for a thread of Wasmtime's own on every write.
/// <c>random_get</c> fills up to 64 MiB in one call, in host code; ours fills it a mebibyte at a time and ends the
/// run between two steps once the deadline has passed. Everything else stays Wasmtime's implementation.
/// </summary>
internal static class WasiShims
{
    private const string Module = "wasi_snapshot_preview1";

    private const int ErrnoSuccess = 0;
    private const int ErrnoBadf = 8;
    private const int ErrnoInval = 28;

    private const int ClockRealtime = 0;
    private const int ClockMonotonic = 1;
    private const int ClockProcessCputime = 2;
    private const int ClockThreadCputime = 3;

    private const byte EventTypeClock = 0;
    private const byte EventTypeFdRead = 1;
    private const byte EventTypeFdWrite = 2;

    private const int ErrnoNomem = 48;

    // No real program waits on more; the cap keeps one call's host memory and time small whatever the guest asks.
    private const int MaxSubscriptions = 1024;

    private const int SubscriptionSize = 48;
    private const int EventSize = 32;

    private const int CiovecSize = 8;

    // Wasmtime's random_get serves at most 64 MiB per call and traps past that (a few hundred ms of filling).
    private const long MaxRandomBytes = 64L * 1024 * 1024;
    private const int RandomStepBytes = 1024 * 1024;

    // Wasmtime lets one WASI call copy at most 128 MiB (its "host-call fuel"): the iovec array counts, then the
    // buffer it writes. Past that the guest gets NOMEM, even for a buffer out of bounds; we keep the same budget so
    // the same call gets the same answer.
    private const long CallCopyBudget = 128L * 1024 * 1024;

    public static void Define(Linker linker)
    {
        linker.DefineFunction(Module, "poll_oneoff", (CallerFunc<int, int, int, int, int>)PollOneoff);
        linker.DefineFunction(Module, "clock_time_get", (CallerFunc<int, long, int, int>)ClockTimeGet);
        linker.DefineFunction(Module, "clock_res_get", (CallerFunc<int, int, int>)ClockResGet);
        linker.DefineFunction(Module, "fd_write", (CallerFunc<int, int, int, int, int>)FdWrite);
        linker.DefineFunction(Module, "random_get", (CallerFunc<int, int, int>)RandomGet);
    }

    // Answers as Wasmtime's does: nothing asked is success wherever the pointer points, more than 64 MiB or a
    // buffer out of bounds ends the run (RandomGetDifferentialTests).
    private static int RandomGet(Caller caller, int bufferPtr, int length)
    {
        var total = (long)(uint)length;
        if (total == 0)
        {
            return ErrnoSuccess;
        }

        if (total > MaxRandomBytes)
        {
            throw new InvalidOperationException($"random_get asked for {total} bytes; one call may ask for 64 MiB.");
        }

        var state = State(caller);
        var memory = GuestMemory(caller);
        var start = (long)(uint)bufferPtr;
        _ = Span(memory, start, total, alignment: 1);
        for (long done = 0; done < total; done += RandomStepBytes)
        {
            state.CheckStillRunning();
            var step = Math.Min(RandomStepBytes, total - done);
            RandomNumberGenerator.Fill(Span(memory, start + done, step, alignment: 1));
        }

        return ErrnoSuccess;
    }

    private static int ClockTimeGet(Caller caller, int clockId, long precision, int resultPtr)
    {
        var state = State(caller);
        ulong now;
        switch (clockId)
        {
            case ClockRealtime:
                now = RealtimeNanoseconds();
                break;
            case ClockMonotonic:
                now = state.MonotonicNanoseconds;
                break;
            case ClockProcessCputime or ClockThreadCputime:
                // Wasmtime answers BADF for the CPU-time clocks; keep the guest-visible behaviour the same.
                return ErrnoBadf;
            default:
                return ErrnoInval;
        }

        var memory = GuestMemory(caller);
        Span(memory, resultPtr, 8, alignment: 8).WriteUInt64(0, now);
        return ErrnoSuccess;
    }

    private static int ClockResGet(Caller caller, int clockId, int resultPtr)
    {
        ulong resolution = clockId switch
        {
            ClockRealtime => 1_000,
            ClockMonotonic => 1,
            _ => 0,
        };
        if (resolution == 0)
        {
            return clockId is ClockProcessCputime or ClockThreadCputime ? ErrnoBadf : ErrnoInval;
        }

        Span(GuestMemory(caller), resultPtr, 8, alignment: 8).WriteUInt64(0, resolution);
        return ErrnoSuccess;
    }

    private static int PollOneoff(Caller caller, int subscriptionsPtr, int eventsPtr, int count, int eventCountPtr)
    {
        if (count == 0)
        {
            // Sleeping forever is not a thing in preview1.
            return ErrnoInval;
        }

        if ((uint)count > MaxSubscriptions)
        {
            return ErrnoNomem;
        }

        var state = State(caller);
        var memory = GuestMemory(caller);
        var total = (long)(uint)count;
        var subscriptions = Span(memory, subscriptionsPtr, total * SubscriptionSize, alignment: 8).ToArray();
        var now = state.MonotonicNanoseconds;

        var deadlines = new ulong?[count];
        var fdReady = new bool[count];
        var anyFdReady = false;
        ulong earliest = ulong.MaxValue;
        for (var i = 0; i < count; i++)
        {
            var sub = subscriptions.AsSpan(i * SubscriptionSize, SubscriptionSize);
            switch (sub[8])
            {
                case EventTypeClock:
                    var id = BinaryPrimitives.ReadUInt32LittleEndian(sub[16..]);
                    var timeout = BinaryPrimitives.ReadUInt64LittleEndian(sub[24..]);
                    var absolute = (BinaryPrimitives.ReadUInt16LittleEndian(sub[40..]) & 1) != 0;
                    ulong deadline;
                    if (id == ClockMonotonic)
                    {
                        deadline = absolute ? timeout : SaturatingAdd(now, timeout);
                    }
                    else if (id == ClockRealtime)
                    {
                        var realNow = RealtimeNanoseconds();
                        var relative = absolute ? (timeout > realNow ? timeout - realNow : 0) : timeout;
                        deadline = SaturatingAdd(now, relative);
                    }
                    else
                    {
                        return ErrnoInval;
                    }

                    deadlines[i] = deadline;
                    earliest = Math.Min(earliest, deadline);
                    break;
                case EventTypeFdRead:
                    // Stdin is a buffer the guest can always read (or read EOF from) at once.
                    if (BinaryPrimitives.ReadUInt32LittleEndian(sub[16..]) != 0)
                    {
                        return ErrnoBadf;
                    }

                    fdReady[i] = anyFdReady = true;
                    break;
                case EventTypeFdWrite:
                    var fd = BinaryPrimitives.ReadUInt32LittleEndian(sub[16..]);
                    if (fd is not (1 or 2))
                    {
                        return ErrnoBadf;
                    }

                    fdReady[i] = anyFdReady = true;
                    break;
                default:
                    return ErrnoInval;
            }
        }

        if (!anyFdReady)
        {
            state.SleepUntil(earliest);
        }

        now = state.MonotonicNanoseconds;
        var events = Span(memory, eventsPtr, total * EventSize, alignment: 8);
        var written = 0;
        for (var i = 0; i < count; i++)
        {
            var ready = fdReady[i] || (deadlines[i] is { } deadline && deadline <= now);
            if (!ready)
            {
                continue;
            }

            var sub = subscriptions.AsSpan(i * SubscriptionSize, SubscriptionSize);
            var evt = events.Slice(written * EventSize, EventSize);
            evt.Clear();
            sub[..8].CopyTo(evt);
            evt[10] = sub[8];
            if (sub[8] != EventTypeClock)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(evt[16..], 1UL);
            }

            written++;
        }

        Span(memory, eventCountPtr, 4, alignment: 4).WriteUInt32(0, (uint)written);
        return ErrnoSuccess;
    }

    /// <summary>
    /// <c>fd_write</c> as Wasmtime answers it, but into the run's own buffers. Like Wasmtime, only the first
    /// non-empty buffer is written and reported: a short write, which every libc completes by calling again.
    /// Pointers are checked in Wasmtime's order (iovecs, then the fd, then the buffer, then <c>nwritten</c>, after
    /// the bytes are kept), so a faulty call traps or fails exactly where it did before.
    /// </summary>
    // TODO: fds 1 and 2 always mean stdout and stderr here, whatever fd_close or fd_renumber did to Wasmtime's table
    // (after fd_close(1), Wasmtime answers BADF and drops the bytes; we keep them. After fd_renumber(2, 1), fd 1 still
    // goes to stdout, fd 2 to stderr, and fd 0 answers BADF even when fd_renumber(1, 0) made it stdout). A shim
    // cannot call Wasmtime's implementation or read its table, and keeping our own table would mean shimming
    // fd_close, fd_renumber, fd_read and every call that inspects an fd, so that fd 0 stays right. Pinned by
    // FdWriteDifferentialTests; no output is lost either way.
    private static int FdWrite(Caller caller, int fd, int iovsPointer, int iovsCount, int nwrittenPointer)
    {
        var budget = CallCopyBudget - (long)(uint)iovsCount * CiovecSize;
        if (budget < 0)
        {
            return ErrnoNomem;
        }

        var memory = GuestMemory(caller);
        long buffer = 0;
        long length = 0;
        for (var i = LeadingEmptyIovecs(memory, (uint)iovsPointer, (uint)iovsCount); i < (uint)iovsCount; i++)
        {
            var iovec = Span(memory, (uint)iovsPointer + (i * CiovecSize), CiovecSize, alignment: 4);
            length = BinaryPrimitives.ReadUInt32LittleEndian(iovec[4..]);
            if (length == 0)
            {
                continue;
            }

            if (length > budget)
            {
                return ErrnoNomem;
            }

            buffer = BinaryPrimitives.ReadUInt32LittleEndian(iovec);
            break;
        }

        var output = fd switch
        {
            1 => State(caller).Stdout,
            2 => State(caller).Stderr,
            _ => null,
        };
        if (output is null)
        {
            return ErrnoBadf;
        }

        if (length > 0)
        {
            output.Append(Span(memory, buffer, length, alignment: 1));
        }

        Span(memory, nwrittenPointer, 4, alignment: 4).WriteUInt32(0, (uint)length);
        return ErrnoSuccess;
    }

    /// <summary>
    /// How many iovecs from the first lie wholly in memory and are empty, which <c>fd_write</c> passes by. A guest may
    /// pass millions of them, and this host code is out of epoch interruption's reach: walked one native bounds
    /// check at a time, one call took long enough to carry a run far past its deadline. An iovec in 8 bytes is
    /// {pointer, length} little-endian, so an empty one reads as a number below 2^32.
    /// </summary>
    private static long LeadingEmptyIovecs(Memory memory, long address, long count)
    {
        var inBounds = Math.Min(count * CiovecSize, memory.GetLength() - address) / CiovecSize;
        if (inBounds <= 0 || !BitConverter.IsLittleEndian)
        {
            return 0;
        }

        var iovecs = MemoryMarshal.Cast<byte, ulong>(Span(memory, address, inBounds * CiovecSize, alignment: 4));
        var firstNonEmpty = iovecs.IndexOfAnyInRange(1UL << 32, ulong.MaxValue);
        return firstNonEmpty < 0 ? inBounds : firstNonEmpty;
    }

    private static GuestRunState State(Caller caller) =>
        caller.GetData() as GuestRunState ?? throw new InvalidOperationException("The store carries no run state.");

    private static Memory GuestMemory(Caller caller)
    {
        // The export cannot change during a run, and looking it up by name costs a native call and an allocation.
        var state = State(caller);
        return state.Memory ??= caller.GetMemory("memory")
            ?? throw new GuestMemoryFaultException("The module exports no memory.");
    }

    private static Span<byte> Span(Memory memory, int pointer, long length, int alignment) =>
        Span(memory, (long)(uint)pointer, length, alignment);

    private static Span<byte> Span(Memory memory, long address, long length, int alignment)
    {
        if (address % alignment != 0)
        {
            throw new GuestMemoryFaultException($"Pointer {address} passed to WASI is not {alignment}-byte aligned.");
        }

        if (address + length > memory.GetLength() || length > int.MaxValue)
        {
            throw new GuestMemoryFaultException($"Pointer {address} (+{length} bytes) passed to WASI is out of bounds.");
        }

        return memory.GetSpan(address, (int)length);
    }

    private static void WriteUInt64(this Span<byte> span, int offset, ulong value) =>
        BinaryPrimitives.WriteUInt64LittleEndian(span[offset..], value);

    private static void WriteUInt32(this Span<byte> span, int offset, uint value) =>
        BinaryPrimitives.WriteUInt32LittleEndian(span[offset..], value);

    private static ulong SaturatingAdd(ulong a, ulong b) => a > ulong.MaxValue - b ? ulong.MaxValue : a + b;

    private static ulong RealtimeNanoseconds() => (ulong)(DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
}
