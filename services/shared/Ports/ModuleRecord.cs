namespace WasmWizard.Shared.Ports;

/// <summary>A stored module's metadata. The bytes live apart, addressed by <see cref="Sha256"/>.</summary>
public sealed record ModuleRecord(
    Guid Id,
    Guid OwnerId,
    string Name,
    string? Description,
    bool IsPublic,
    string Sha256,
    long SizeBytes,
    DateTimeOffset CreatedAt);
