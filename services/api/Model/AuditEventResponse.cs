using WasmWizard.Shared.Contracts.Events;

namespace WasmWizard.Api.Model;

/// <summary>One audit event as the api shows it: ids and prefixes, never a secret.</summary>
public sealed record AuditEventResponse(
    Guid Id,
    string Type,
    DateTimeOffset OccurredAt,
    Guid? TenantId,
    string? Actor,
    Guid? ActorUserId,
    Guid? ActorKeyId,
    string? ActorKeyPrefix,
    string? Subject,
    string Source,
    string? ClientAddress,
    string? RequestId,
    string? TraceId,
    IReadOnlyDictionary<string, string> Details)
{
    /// <summary>The response for <paramref name="e"/>.</summary>
    public static AuditEventResponse From(AuditEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new AuditEventResponse(
            e.Id, e.Type, e.OccurredAt, e.TenantId, e.Actor, e.ActorUserId, e.ActorKeyId, e.ActorKeyPrefix, e.Subject,
            e.Source, e.ClientAddress, e.RequestId, e.TraceId, e.Details);
    }
}

/// <summary>A page of audit events, newest first; pass <c>next_cursor</c> as <c>cursor</c> for the next one.</summary>
public sealed record AuditEventListResponse(IReadOnlyList<AuditEventResponse> Events, string? NextCursor);
