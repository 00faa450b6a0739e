namespace WasmWizard.Shared.Contracts.Events;

/// <summary>
/// One security-relevant event. It names users and keys by id (and a key by its display prefix), never by a secret:
/// no key, token, module byte or stdin ever goes into one.
/// </summary>
/// <param name="Id">Unique; consumers deduplicate on it, since delivery is at least once.</param>
/// <param name="Type">One of <see cref="AuditEventTypes"/>.</param>
/// <param name="OccurredAt">When it happened.</param>
/// <param name="ActorUserId">Who did it, when known.</param>
/// <param name="ActorKeyId">With which API key, when one was used.</param>
/// <param name="ActorKeyPrefix">That key's display prefix.</param>
/// <param name="SubjectUserId">The user it concerns (created, changed), when not the actor.</param>
/// <param name="SubjectKeyId">The key it concerns (created, revoked).</param>
/// <param name="ClientAddress">The client's network address.</param>
/// <param name="RequestId">The request's id (its trace id), to find its logs.</param>
/// <param name="Details">A few more facts, such as a new tier or the reason of a refusal.</param>
public sealed record AuditEvent(
    Guid Id,
    string Type,
    DateTimeOffset OccurredAt,
    Guid? ActorUserId,
    Guid? ActorKeyId,
    string? ActorKeyPrefix,
    Guid? SubjectUserId,
    Guid? SubjectKeyId,
    string? ClientAddress,
    string? RequestId,
    IReadOnlyDictionary<string, string> Details)
{
    /// <summary>
    /// Whose trail the event belongs to: the user it concerns, else the user who acted; null for events that concern
    /// no user (a failed sign-in with an unknown key). Each tenant's events form one hash chain, and a tenant sees
    /// only its own.
    /// </summary>
    public Guid? TenantId { get; init; }

    /// <summary>
    /// Who acted, as an auditor searches for it: <c>key:{key id}</c>, <c>jwt:{user id}</c> for a JWT sign-in,
    /// <c>system</c> for the service itself, or null when nobody signed in.
    /// </summary>
    public string? Actor { get; init; }

    /// <summary>What it concerns, as <c>{kind}:{id}</c>: <c>user:</c>, <c>key:</c>, <c>module:</c>, <c>execution:</c>.</summary>
    public string? Subject { get; init; }

    /// <summary>The service that recorded it (<c>api</c>, <c>executor</c>).</summary>
    public string Source { get; init; } = "api";

    /// <summary>The W3C trace id of the request, to find its spans and logs.</summary>
    public string? TraceId { get; init; }
}
