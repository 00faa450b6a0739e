namespace WasmWizard.Executor.Sandbox;

/// <summary>Thrown on the guest thread to stop a run nobody waits for any more (the caller went away).</summary>
internal sealed class GuestCancelledException() : Exception("The run was cancelled.");
