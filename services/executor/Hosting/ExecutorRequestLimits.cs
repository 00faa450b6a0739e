using Microsoft.Extensions.Options;
using WasmWizard.Executor.Sandbox;

namespace WasmWizard.Executor.Hosting;

/// <summary>
/// How large the requests to the internal endpoints may be, derived from the sandbox limits so that the largest
/// request the sandbox would accept always gets through (and nothing much larger does).
/// </summary>
internal sealed class ExecutorRequestLimits(IOptions<SandboxOptions> options)
{
    // Multipart boundaries and part headers, and the JSON members around the arguments and environment.
    private const long Framing = 64 * 1024;

    // JSON escapes a control character as \u0000: six bytes for one.
    private const long WorstCaseEscaping = 6;

    /// <summary>The largest JSON part of a run.</summary>
    public long MaxRequestPartBytes { get; } = RequestPartBytes(options.Value);

    /// <summary>The largest body of any request: an ad-hoc run of the largest module with the largest input.</summary>
    public static long BodyBytes(SandboxOptions sandbox)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        return sandbox.MaxModuleBytes + sandbox.MaxInputBytes + RequestPartBytes(sandbox) + Framing;
    }

    private static long RequestPartBytes(SandboxOptions sandbox) =>
        (WorstCaseEscaping * (sandbox.MaxArgBytes + sandbox.MaxEnvBytes)) + Framing;
}
