namespace WasmWizard.Shared.Ports;

/// <summary>One finished run, as kept for the caller's history. Holds no input or output.</summary>
public sealed record ExecutionRecord(
    Guid Id,
    Guid UserId,
    Guid? ModuleId,
    string ModuleSha256,
    string Outcome,
    int? ExitCode,
    double DurationMs,
    ulong? FuelConsumed,
    DateTimeOffset CreatedAt);
