namespace WasmWizard.Shared.Contracts;

/// <summary>What one run produced.</summary>
/// <param name="Outcome">One of <see cref="ExecutionOutcome"/>.</param>
/// <param name="ExitCode">The exit code when the guest exited (0 when <c>_start</c> returned), else null.</param>
/// <param name="TrapKind">The trap kind (for example <c>unreachable</c>) when the outcome is a trap, else null.</param>
/// <param name="Message">A human-readable reason when the run did not succeed, else null.</param>
/// <param name="Stdout">What the guest wrote to stdout, up to the cap.</param>
/// <param name="StdoutTruncated">Whether stdout went past the cap and the excess was dropped.</param>
/// <param name="Stderr">What the guest wrote to stderr, up to the cap.</param>
/// <param name="StderrTruncated">Whether stderr went past the cap and the excess was dropped.</param>
/// <param name="DurationMs">Wall time from before instantiation to the end of the run.</param>
/// <param name="FuelConsumed">Fuel the run used, when fuel is metered.</param>
public sealed record RunResult(
    string Outcome,
    int? ExitCode,
    string? TrapKind,
    string? Message,
    byte[] Stdout,
    bool StdoutTruncated,
    byte[] Stderr,
    bool StderrTruncated,
    double DurationMs,
    ulong? FuelConsumed)
{
    /// <summary>Whether the guest exited with code 0.</summary>
    public bool Succeeded => Outcome == ExecutionOutcome.Exited && ExitCode == 0;
}
