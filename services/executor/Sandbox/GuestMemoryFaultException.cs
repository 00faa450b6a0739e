namespace WasmWizard.Executor.Sandbox;

/// <summary>A WASI call got a pointer outside the guest's memory or misaligned; like Wasmtime, we trap.</summary>
internal sealed class GuestMemoryFaultException(string message) : Exception(message);
