namespace WasmWizard.Executor.Sandbox;

/// <summary>Thrown on the guest thread to stop a run whose wall-time deadline has passed.</summary>
internal sealed class GuestDeadlineExceededException() : Exception("The run exceeded its deadline.");
