using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Text;

namespace WasmWizard.Api.Model;

/// <summary>
/// The result of a run, the same body for success (200) and failure (422). Output that is not valid UTF-8
/// is sent base64 with <c>output_encoding: "base64"</c> (likewise stderr).
/// </summary>
public sealed record ExecutionResponse(
    string Output,
    string? Error,
    int? ExitCode,
    string Outcome,
    string? TrapKind,
    string Stderr,
    string OutputEncoding,
    string StderrEncoding,
    bool OutputTruncated,
    bool StderrTruncated,
    double DurationMs,
    ulong? FuelConsumed,
    Guid ExecutionId)
{
    /// <summary>Maps an executor result.</summary>
    public static ExecutionResponse From(RunResult result, Guid executionId)
    {
        ArgumentNullException.ThrowIfNull(result);
        var (output, outputEncoding) = GuestOutput.Encode(result.Stdout, result.StdoutTruncated);
        var (stderr, stderrEncoding) = GuestOutput.Encode(result.Stderr, result.StderrTruncated);
        return new ExecutionResponse(
            output,
            result.Succeeded ? null : result.Message ?? "The module did not succeed.",
            result.ExitCode,
            result.Outcome,
            result.TrapKind,
            stderr,
            outputEncoding,
            stderrEncoding,
            result.StdoutTruncated,
            result.StderrTruncated,
            Math.Round(result.DurationMs, 3),
            result.FuelConsumed,
            executionId);
    }
}
