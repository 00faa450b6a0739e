using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Options;
using Wasmtime;
using WasmWizard.Executor.Sandbox.Instrumentation;
using WasmWizard.Shared.Contracts;

namespace WasmWizard.Executor.Sandbox;

/// <summary>
/// Runs one compiled module once, on the calling (guest) thread: a fresh store with the run's limits, WASI
/// with only what the caller gave (no preopens, no host environment), the deadline armed before instantiation,
/// then <c>_start</c>. Whatever happens, the result names exactly one outcome.
/// </summary>
internal sealed class GuestInvoker(
    WasmEngine engine, IOptions<SandboxOptions> options, StdinFiles stdinFiles, SandboxMetrics metrics)
{
    // With fuel metering on, a run that asked for no budget still needs fuel to execute at all.
    private const ulong UnmeteredFuel = long.MaxValue;

    private readonly SandboxOptions _options = options.Value;

    /// <summary>
    /// Runs <paramref name="compiled"/> once. Output reaches the run's buffers through our <c>fd_write</c>
    /// (<see cref="WasiShims"/>); Wasmtime's own stdout and stderr stay its default, a sink nothing writes to.
    /// The <c>instantiate</c> and <c>run</c> spans are children of <paramref name="parent"/>, the caller's context
    /// captured before the hand-off to this guest thread.
    /// </summary>
    /// <returns>
    /// The result, and the run's store and input file, which the caller releases once it has passed the result on:
    /// releasing a store gives its memory back to the pool (zeroing what stays mapped), work the answer need not
    /// wait for.
    /// </returns>
    public (RunResult Result, RunTeardown Teardown) Invoke(
        CompiledModule compiled, RunRequest request, ActivityContext parent, CancellationToken cancellation)
    {
        var limits = request.Limits;
        var state = new GuestRunState(
            TimeSpan.FromMilliseconds(limits.TimeoutMs), _options.MaxStdoutBytes, _options.MaxStderrBytes, cancellation);
        var stdinPath = request.Stdin.Length > 0 ? stdinFiles.Write(request.Stdin) : null;
        Store? store = null;
        try
        {
            store = new Store(engine.Engine, state);
            store.SetLimits(
                memorySize: limits.MemoryLimitBytes,
                tableElements: (uint)_options.MaxTableElements,
                instances: _options.MaxInstances,
                tables: _options.MaxTables,
                memories: 1);

            ulong fuelBudget = 0;
            if (engine.FuelEnabled)
            {
                fuelBudget = limits.Fuel ?? UnmeteredFuel;
                store.Fuel = fuelBudget;
            }

            // Deadline checks happen on every epoch tick; the callback ends the run once it is over time.
            store.SetEpochDeadline(1);
            store.SetEpochDeadlineCallback(_ => state.OnEpochTick());

            var wasi = new WasiConfiguration()
                .WithArgs([request.ProgramName, .. request.Args])
                .WithEnvironmentVariables(request.Env.Select(e => (e.Key, e.Value)));
            if (stdinPath is not null)
            {
                wasi.WithStandardInput(stdinPath);
            }

            store.SetWasiConfiguration(wasi);

            state.Start();
            var (outcome, exitCode, trapKind, message) = Run(compiled, store, state, limits, parent);
            // When the deadline interrupts a tight loop, Wasmtime has not written its fuel count back to the store,
            // so the count would read low (often 0): better none than a wrong one.
            ulong? fuelConsumed = engine.FuelEnabled && outcome != ExecutionOutcome.Timeout ? fuelBudget - store.Fuel : null;
            var result = new RunResult(
                outcome,
                exitCode,
                trapKind,
                message,
                state.Stdout.ToArray(),
                state.Stdout.Truncated,
                state.Stderr.ToArray(),
                state.Stderr.Truncated,
                state.Elapsed.TotalMilliseconds,
                fuelConsumed);
            return (result, new RunTeardown(store, stdinPath, stdinFiles));
        }
        catch
        {
            // Nothing is handed on when the run threw, so nothing is released later.
            new RunTeardown(store, stdinPath, stdinFiles).Dispose();
            throw;
        }
    }

    private (string Outcome, int? ExitCode, string? TrapKind, string? Message) Run(
        CompiledModule compiled, Store store, GuestRunState state, RunLimits limits, ActivityContext parent)
    {
        if (compiled.InitialMemoryBytes > limits.MemoryLimitBytes)
        {
            return (ExecutionOutcome.MemoryLimit, null, null,
                $"The module needs {Mebibytes(compiled.InitialMemoryBytes)} of memory to start; "
                + $"the limit is {Mebibytes(limits.MemoryLimitBytes)}.");
        }

        var phase = SandboxPhase.Instantiate;
        var started = Stopwatch.GetTimestamp();
        var span = SandboxTelemetry.StartPhase(phase, compiled.Sha256, parent);
        (string Outcome, int? ExitCode, string? TrapKind, string? Message) result = default;
        Instance? instance = null;
        try
        {
            instance = engine.Linker.Instantiate(store, compiled.Module);
            var start = instance.GetAction("_start")
                ?? throw new InvalidOperationException("The validated module lost its _start export.");
            metrics.PhaseFinished(phase, started);
            span?.Dispose();
            phase = SandboxPhase.Run;
            started = Stopwatch.GetTimestamp();
            span = SandboxTelemetry.StartPhase(phase, compiled.Sha256, parent);
            start();
            return result = (ExecutionOutcome.Exited, 0, null, null);
        }
        catch (ObjectDisposedException e) when (e.ObjectName == typeof(Module).FullName)
        {
            // Only a stopping executor releases its modules (CompiledModuleCache.Dispose): the run is cut short by the
            // shutdown, as a cancelled one is, not failed by the guest.
            throw new OperationCanceledException("The executor is stopping.", e);
        }
        catch (Exception e) when (e is WasmtimeException or GuestDeadlineExceededException or GuestCancelledException)
        {
            if (state.Cancelled)
            {
                throw new OperationCanceledException("The caller stopped waiting for the run.", e);
            }

            // Once wasm code ran (the error carries a wasm backtrace), a failure is the guest's doing.
            var ran = instance is not null || e.Message.Contains("wasm backtrace", StringComparison.Ordinal);
            var growFailed = instance is not null && HitMemoryCap(compiled, instance, limits);
            return result = Classify(e, state, limits, ran, growFailed);
        }
        finally
        {
            // The phase the run ended in carries the outcome: instantiate when a start function trapped or timed out.
            metrics.PhaseFinished(phase, started);
            SandboxTelemetry.Ended(span, result.Outcome, result.ExitCode);
        }
    }

    private static (string, int?, string?, string?) Classify(
        Exception e, GuestRunState state, RunLimits limits, bool started, bool growFailed)
    {
        if (state.DeadlineExceeded)
        {
            return (ExecutionOutcome.Timeout, null, null, $"The run exceeded its deadline of {limits.TimeoutMs} ms.");
        }

        if (e is TrapException { Type: TrapCode.OutOfFuel })
        {
            return (ExecutionOutcome.FuelExhausted, null, null, $"The run used up its fuel budget of {limits.Fuel}.");
        }

        var memoryLimitMessage =
            $"The module needed more than its memory limit of {Mebibytes(limits.MemoryLimitBytes)} and then failed.";
        if (e is WasmtimeException { ExitCode: int exitCode })
        {
            if (exitCode == 0)
            {
                return (ExecutionOutcome.Exited, 0, null, null);
            }

            return growFailed
                ? (ExecutionOutcome.MemoryLimit, exitCode, null, memoryLimitMessage)
                : (ExecutionOutcome.Exited, exitCode, null, $"The module exited with code {exitCode}.");
        }

        if (growFailed)
        {
            return (ExecutionOutcome.MemoryLimit, null, null, memoryLimitMessage);
        }

        if (e is TrapException trap)
        {
            var kind = SnakeCase(trap.Type.ToString());
            return (ExecutionOutcome.Trapped, null, kind, $"The module trapped: {kind.Replace('_', ' ')}.");
        }

        if (e.InnerException is GuestMemoryFaultException fault)
        {
            return (ExecutionOutcome.Trapped, null, "memory_out_of_bounds", $"The module trapped: {fault.Message}");
        }

        if (started)
        {
            // A WASI call failed in a way that ends the run (an invalid exit status, a pointer WASI could not
            // use, a request it would not serve): the guest's fault, reported with Wasmtime's reason.
            return (ExecutionOutcome.Trapped, null, "wasi_error", "A WASI call ended the run: " + Cause(e.Message));
        }

        return (ExecutionOutcome.Rejected, null, null, "The module could not be started: " + Cause(e.Message));
    }

    /// <summary>
    /// Whether the guest's last refused <c>memory.grow</c> was refused because of our cap, not because it asked for
    /// more than its own declared maximum or more than any 32-bit memory can hold.
    /// </summary>
    private static bool HitMemoryCap(CompiledModule compiled, Instance instance, RunLimits limits)
    {
        if (!compiled.TracksGrowFailures)
        {
            return false;
        }

        var pages = ModuleInstrumenter.ReadRefusedGrowthPages(instance);
        return pages > 0 && pages * Memory.PageSize > limits.MemoryLimitBytes && pages <= compiled.MaximumMemoryPages;
    }

    /// <summary>The root cause of a Wasmtime error: the last "Caused by:" entry, else the first line.</summary>
    private static string Cause(string message)
    {
        var at = message.LastIndexOf("Caused by:", StringComparison.Ordinal);
        var text = at >= 0 ? message[(at + "Caused by:".Length)..] : message;
        var line = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.TrimStart('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ' '))
            .FirstOrDefault(l => l.Length > 0) ?? "unknown error";
        return line.Length > 500 ? line[..500] : line;
    }

    private static string Mebibytes(long bytes) =>
        bytes % (1024 * 1024) == 0 ? $"{bytes / (1024 * 1024)} MiB" : $"{bytes / (1024.0 * 1024):0.##} MiB";

    private static string SnakeCase(string pascal)
    {
        var builder = new StringBuilder(pascal.Length + 8);
        for (var i = 0; i < pascal.Length; i++)
        {
            if (char.IsUpper(pascal[i]) && i > 0)
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(pascal[i]));
        }

        return builder.ToString();
    }
}

/// <summary>
/// What a finished run still holds: its store (with the instance and its pooled memory) and its input file.
/// </summary>
internal sealed class RunTeardown(Store? store, string? stdinPath, StdinFiles stdinFiles) : IDisposable
{
    public void Dispose()
    {
        store?.Dispose();
        if (stdinPath is not null)
        {
            stdinFiles.Delete(stdinPath);
        }
    }
}
