using WasmWizard.Shared.Contracts.Events;

namespace WasmWizard.Shared.Ports;

/// <summary>
/// Reading the audit trail: the store itself in the embedded host, the audit service (by service invocation) in the
/// distributed one.
/// </summary>
public interface IAuditReader
{
    /// <summary>One page of events matching <paramref name="query"/>, newest first.</summary>
    /// <exception cref="ArgumentException">The cursor was not one this store handed out.</exception>
    Task<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Recomputes the hash chains <paramref name="scope"/> names and reports where each first breaks.
    /// </summary>
    Task<ChainReport> VerifyAsync(AuditChainScope scope, CancellationToken cancellationToken);
}

/// <summary>Which chains to verify.</summary>
/// <param name="TenantId">One tenant's chain, or, when null and <paramref name="AllChains"/>, every chain.</param>
/// <param name="AllChains">Every chain, including the events without a tenant (admins only).</param>
public sealed record AuditChainScope(Guid? TenantId, bool AllChains)
{
    /// <summary>One tenant's chain.</summary>
    public static AuditChainScope Tenant(Guid tenantId) => new(tenantId, false);

    /// <summary>Every chain.</summary>
    public static AuditChainScope All { get; } = new(null, true);
}

/// <summary>
/// A filtered page request. Every filter is optional; <see cref="TenantId"/> null means every tenant's events (an
/// admin's view), so a tenant's own query must always set it.
/// </summary>
/// <param name="TenantId">Only this tenant's events; null for all (admins only).</param>
/// <param name="Type">Only this event type.</param>
/// <param name="Actor">Only events with this <see cref="AuditEvent.Actor"/>.</param>
/// <param name="Subject">Only events with this <see cref="AuditEvent.Subject"/>.</param>
/// <param name="From">Only events at or after this time.</param>
/// <param name="To">Only events before this time.</param>
/// <param name="Limit">At most this many (1 to <see cref="MaxLimit"/>).</param>
/// <param name="Cursor">Where the previous page ended (its <see cref="AuditPage.NextCursor"/>), or null for the first.</param>
public sealed record AuditQuery(
    Guid? TenantId,
    string? Type = null,
    string? Actor = null,
    string? Subject = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    int Limit = AuditQuery.DefaultLimit,
    string? Cursor = null)
{
    /// <summary>The page size when none is asked for.</summary>
    public const int DefaultLimit = 50;

    /// <summary>The largest page.</summary>
    public const int MaxLimit = 500;
}

/// <summary>One page of events, newest first.</summary>
/// <param name="Events">The events.</param>
/// <param name="NextCursor">Pass it as <see cref="AuditQuery.Cursor"/> for the next (older) page; null after the last.</param>
public sealed record AuditPage(IReadOnlyList<AuditEvent> Events, string? NextCursor);

/// <summary>What verifying the chains found.</summary>
/// <param name="Intact">Whether every verified chain is unbroken.</param>
/// <param name="EventsChecked">How many events were recomputed.</param>
/// <param name="ChainsChecked">How many chains (tenants, plus the one of events without a tenant).</param>
/// <param name="Breaks">Where each broken chain first breaks; empty when intact.</param>
public sealed record ChainReport(bool Intact, long EventsChecked, int ChainsChecked, IReadOnlyList<ChainBreak> Breaks)
{
    /// <summary>
    /// Where each chain ends now. The chains prove that what remains was not changed; only a copy of the heads kept
    /// somewhere else proves that nothing was cut off the end or deleted whole: compare a later report with it.
    /// </summary>
    public IReadOnlyList<ChainHead> Heads { get; init; } = [];
}

/// <summary>The newest event of one chain.</summary>
/// <param name="TenantId">Whose chain (null: the events without a tenant).</param>
/// <param name="Position">How many events the chain has ever held.</param>
/// <param name="Hash">The newest event's hash, lower-case hex.</param>
public sealed record ChainHead(Guid? TenantId, long Position, string Hash);

/// <summary>The first place a tenant's chain does not hold.</summary>
/// <param name="TenantId">Whose chain (null: the events without a tenant).</param>
/// <param name="Position">The position in the chain (1 = the first event ever kept for the tenant).</param>
/// <param name="EventId">The event at that position, when there is one.</param>
/// <param name="Problem">One of <see cref="ChainProblems"/>.</param>
public sealed record ChainBreak(Guid? TenantId, long Position, Guid? EventId, string Problem);

/// <summary>Why a chain breaks.</summary>
public static class ChainProblems
{
    /// <summary>The event's content no longer hashes to what was stored for it: it was changed.</summary>
    public const string ContentChanged = "content_changed";

    /// <summary>The event does not follow the one before it: one was removed, inserted or moved in between.</summary>
    public const string LinkBroken = "link_broken";

    /// <summary>A position is missing: an event was removed.</summary>
    public const string Missing = "missing";

    /// <summary>The chain's head record is gone while its events remain: the newest events may have gone with it.</summary>
    public const string HeadMissing = "head_missing";
}
