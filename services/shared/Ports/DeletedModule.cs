namespace WasmWizard.Shared.Ports;

/// <summary>What deleting a module removed.</summary>
/// <param name="Sha256">The deleted module's content hash.</param>
/// <param name="LastCopy">Whether no other module has these bytes, so the bytes themselves are gone too.</param>
public sealed record DeletedModule(string Sha256, bool LastCopy);
