namespace WasmWizard.LoadGenerator;

/// <summary>One measured request: its latency, how it ended, and whether it failed to get an answer at all.</summary>
public readonly record struct Sample(double LatencyMs, Outcome Outcome, bool Error);
