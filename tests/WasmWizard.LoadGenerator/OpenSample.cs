namespace WasmWizard.LoadGenerator;

/// <summary>
/// One request of an open loop: when it was due and when it really left (milliseconds from the start), how long
/// its answer took, and the answer, or the error (<c>Timeout</c>, <c>Overflow</c>, an exception's type) instead.
/// </summary>
public readonly record struct OpenSample(double DueMs, double StartMs, double LatencyMs, Answer Answer, string? Error);
