namespace WasmWizard.Shared.Ports;

/// <summary>A tenant of the service.</summary>
public sealed record UserRecord(Guid Id, string Email, string Tier, bool IsAdmin, DateTimeOffset CreatedAt);
