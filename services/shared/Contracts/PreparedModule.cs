namespace WasmWizard.Shared.Contracts;

/// <summary>A module the executor accepted: valid, within our feature set, compiled and cached.</summary>
/// <param name="Sha256">Lower-case hex SHA-256 of the module bytes.</param>
/// <param name="SizeBytes">Size of the module in bytes.</param>
/// <param name="InitialMemoryBytes">The linear memory the module asks for at instantiation.</param>
public sealed record PreparedModule(string Sha256, long SizeBytes, long InitialMemoryBytes);
