namespace WasmWizard.Shared.Dapr.State;

/// <summary>
/// Other writers kept changing the state an operation depends on, through every retry. The store is up and the
/// request was valid, so this is not a <see cref="Contracts.DependencyUnavailableException"/>; it points at
/// contention the key model does not absorb (a hot index document) and should be looked into, not hidden.
/// </summary>
public sealed class StateConcurrencyException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StateConcurrencyException(string operation, int attempts)
        : base($"The state store changed under '{operation}' on each of {attempts} attempts; gave up.")
    {
        Operation = operation;
        Attempts = attempts;
    }

    /// <summary>What was being done, in words safe to log.</summary>
    public string Operation { get; }

    /// <summary>How many times it was tried.</summary>
    public int Attempts { get; }
}
