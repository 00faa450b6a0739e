namespace WasmWizard.Api.Execution;

/// <summary>What a caller asked of one run, before tier policy is applied.</summary>
public sealed record ExecuteOptions(
    byte[] Stdin,
    IReadOnlyList<string> Args,
    IReadOnlyList<KeyValuePair<string, string>> Env,
    int? TimeoutMs,
    int? MemoryLimitMb,
    ulong? Fuel);
