namespace WasmWizard.LoadGenerator;

/// <summary>
/// How one request ended: a label (status code or run outcome), whether it succeeded, and whether the service
/// refused it for being busy (429/503, or the sandbox's busy answer).
/// </summary>
public readonly record struct Outcome(string Label, bool Ok, bool Refused);
