using WasmWizard.Shared.Contracts;

namespace WasmWizard.Shared.Dapr;

/// <summary>
/// The JSON part of a run on the executor's internal endpoint: a <see cref="RunRequest"/> without its bytes, which
/// travel as parts of their own. Kept apart from the domain type so the wire shape stays fixed.
/// </summary>
/// <param name="Sha256">Lower-case hex SHA-256 of the module (of the module part, for an ad-hoc run).</param>
/// <param name="ProgramName">argv[0].</param>
/// <param name="Args">Arguments after argv[0].</param>
/// <param name="Env">Environment variables in order, as <c>{"key": ..., "value": ...}</c>.</param>
/// <param name="Limits">The run's limits.</param>
/// <param name="Tenant">Whose run it is, or null.</param>
public sealed record ExecutorRunRequestDto(
    string Sha256,
    string ProgramName,
    IReadOnlyList<string> Args,
    IReadOnlyList<KeyValuePair<string, string>> Env,
    RunLimits Limits,
    string? Tenant)
{
    /// <summary>The message for <paramref name="request"/>.</summary>
    public static ExecutorRunRequestDto From(RunRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new(request.ModuleSha256, request.ProgramName, request.Args, request.Env, request.Limits, request.Tenant);
    }

    /// <summary>The request this message and its byte parts make up.</summary>
    public RunRequest ToRequest(byte[] stdin, byte[]? module) =>
        new(Sha256, module, ProgramName, stdin, Args, Env, Limits, Tenant);
}
