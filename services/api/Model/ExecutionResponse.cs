using System.Text;
using WasmWizard.Shared.Contracts;

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
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Maps an executor result.</summary>
    public static ExecutionResponse From(RunResult result, Guid executionId)
    {
        ArgumentNullException.ThrowIfNull(result);
        var (output, outputEncoding) = Encode(result.Stdout);
        var (stderr, stderrEncoding) = Encode(result.Stderr);
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

    private static (string Text, string Encoding) Encode(byte[] bytes)
    {
        try
        {
            return (StrictUtf8.GetString(bytes), "utf8");
        }
        catch (DecoderFallbackException)
        {
            return (Convert.ToBase64String(bytes), "base64");
        }
    }
}
