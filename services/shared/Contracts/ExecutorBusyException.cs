namespace WasmWizard.Shared.Contracts;

/// <summary>
/// No sandbox slot is free for this run: every slot is busy, or the tenant already holds all the slots one tenant
/// may hold (<see cref="TenantShareSpent"/>). The caller should retry after <see cref="RetryAfter"/>.
/// </summary>
public sealed class ExecutorBusyException : Exception
{
    /// <summary>Creates the exception; <paramref name="message"/> replaces the one about sandbox slots.</summary>
    public ExecutorBusyException(TimeSpan retryAfter, bool tenantShareSpent = false, string? message = null)
        : base(message ?? (tenantShareSpent
            ? "This tenant already holds every sandbox slot one tenant may hold; retry when one of its runs ends."
            : "All sandbox slots are busy; retry shortly."))
    {
        RetryAfter = retryAfter;
        TenantShareSpent = tenantShareSpent;
    }

    /// <summary>How long the caller should wait before trying again.</summary>
    public TimeSpan RetryAfter { get; }

    /// <summary>
    /// The tenant's own runs fill its share of the slots (others may be free): the tenant's doing, not the
    /// executor's load.
    /// </summary>
    public bool TenantShareSpent { get; }
}
