namespace WasmWizard.Shared.Contracts;

/// <summary>
/// A service this one depends on (the Dapr sidecar, a state store, pub/sub, another service) did not answer. Nothing
/// the caller sent was wrong: the api answers 503 with <see cref="RetryAfter"/>, and the caller may try again.
/// </summary>
public sealed class DependencyUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DependencyUnavailableException(string dependency, Exception? innerException = null, TimeSpan? retryAfter = null)
        : base($"The {dependency} is unavailable; retry shortly.", innerException)
    {
        Dependency = dependency;
        RetryAfter = retryAfter ?? TimeSpan.FromSeconds(2);
    }

    /// <summary>What did not answer, in words a caller may see (never an address or a credential).</summary>
    public string Dependency { get; }

    /// <summary>How long the caller should wait before trying again.</summary>
    public TimeSpan RetryAfter { get; }
}
