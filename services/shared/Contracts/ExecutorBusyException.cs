namespace WasmWizard.Shared.Contracts;

/// <summary>Every sandbox slot is busy; the caller should retry after <see cref="RetryAfter"/>.</summary>
public sealed class ExecutorBusyException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ExecutorBusyException(TimeSpan retryAfter)
        : base("All sandbox slots are busy; retry shortly.")
    {
        RetryAfter = retryAfter;
    }

    /// <summary>How long the caller should wait before trying again.</summary>
    public TimeSpan RetryAfter { get; }
}
