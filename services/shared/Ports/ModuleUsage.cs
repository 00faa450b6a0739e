namespace WasmWizard.Shared.Ports;

/// <summary>What one owner's stored modules take.</summary>
/// <param name="Modules">How many modules the owner has.</param>
/// <param name="Bytes">Their sizes added up (each upload counts, even when its bytes are shared).</param>
public sealed record ModuleUsage(long Modules, long Bytes);
