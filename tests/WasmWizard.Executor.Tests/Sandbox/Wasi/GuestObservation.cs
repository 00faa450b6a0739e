using System.Security.Cryptography;
using System.Text;
using WasmWizard.Shared.Contracts;

namespace WasmWizard.Executor.Tests.Sandbox.Wasi;

/// <summary>What a caller learns from one run: how it ended and what it wrote, judged up to the output cap.</summary>
internal sealed record GuestObservation(string Outcome, byte[] Stdout, bool StdoutTruncated, byte[] Stderr, bool StderrTruncated)
{
    public static GuestObservation Of(RunResult result) => new(
        result.Outcome switch
        {
            ExecutionOutcome.Exited => $"exit {result.ExitCode}",
            ExecutionOutcome.Trapped => "trap",
            var other => other,
        },
        result.Stdout,
        result.StdoutTruncated,
        result.Stderr,
        result.StderrTruncated);

    /// <summary>What the sandbox would report for this run if it kept <paramref name="cap"/> bytes per stream.</summary>
    public GuestObservation Capped(int cap) => this with
    {
        Stdout = Stdout.Length > cap ? Stdout[..cap] : Stdout,
        StdoutTruncated = StdoutTruncated || Stdout.Length > cap,
        Stderr = Stderr.Length > cap ? Stderr[..cap] : Stderr,
        StderrTruncated = StderrTruncated || Stderr.Length > cap,
    };

    /// <summary>A readable, comparable summary: short output as escaped text, long output by length and hash.</summary>
    public override string ToString() =>
        $"{Outcome}\nstdout: {Show(Stdout, StdoutTruncated)}\nstderr: {Show(Stderr, StderrTruncated)}";

    private static string Show(byte[] bytes, bool truncated)
    {
        var text = bytes.Length <= 300
            ? "\"" + string.Concat(bytes.Select(b => b is >= 32 and < 127 ? ((char)b).ToString() : $"\\x{b:x2}")) + "\""
            : $"{bytes.Length} bytes, SHA-256 {Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]}";
        return truncated ? text + " (truncated)" : text;
    }
}
