namespace WasmWizard.Shared.Contracts;

/// <summary>A request to run one WASI command module once.</summary>
/// <param name="ModuleSha256">Lower-case hex SHA-256 of the module bytes.</param>
/// <param name="ModuleBytes">
/// The module itself for an ad-hoc run; null for a stored module, which the executor finds by its hash.
/// </param>
/// <param name="ProgramName">argv[0] as the guest sees it: the module's name.</param>
/// <param name="Stdin">Bytes the guest reads from stdin.</param>
/// <param name="Args">Arguments after argv[0].</param>
/// <param name="Env">Environment variables, in the order the guest sees them.</param>
/// <param name="Limits">The limits of this run.</param>
/// <param name="Tenant">
/// Whose run it is. The executor lets no single tenant hold every slot; null for runs not made for a tenant.
/// </param>
public sealed record RunRequest(
    string ModuleSha256,
    byte[]? ModuleBytes,
    string ProgramName,
    byte[] Stdin,
    IReadOnlyList<string> Args,
    IReadOnlyList<KeyValuePair<string, string>> Env,
    RunLimits Limits,
    string? Tenant = null);
