using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using WasmWizard.Api.Auth;
using WasmWizard.Api.Http;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Dapr;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Api.Audit;

/// <summary>
/// Publishes security-relevant events to the audit topic, filled in from the request: who (user id, key id and
/// prefix, never the key), from where, and the request id. A failure to publish never fails the request it
/// describes: the event is logged and published again in the background (<see cref="AuditRetryQueue"/>).
/// </summary>
public sealed class AuditRecorder(
    IEventPublisher publisher,
    AuditRetryQueue retries,
    IHttpContextAccessor context,
    TimeProvider time,
    ILogger<AuditRecorder> logger)
{
    // Refusals can come thousands a second; one event per source and kind per window is what an auditor needs.
    private static readonly TimeSpan RefusalWindow = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastRefusal = new(StringComparer.Ordinal);

    /// <summary>
    /// Records an event about <paramref name="subjectUserId"/> or <paramref name="subjectKeyId"/>, or about
    /// <paramref name="subject"/> (<c>module:{id}</c>, <c>execution:{id}</c>) when it is neither. It lands in the trail
    /// of the user it concerns, else of the caller.
    /// </summary>
    public async Task RecordAsync(
        string type,
        Guid? subjectUserId = null,
        Guid? subjectKeyId = null,
        IReadOnlyDictionary<string, string>? details = null,
        string? subject = null)
    {
        var http = context.HttpContext;
        Caller? caller = http?.User.Identity?.IsAuthenticated == true ? Caller.From(http.User) : null;
        await PublishAsync(
            type, caller, ActorOf(caller, http), http?.Connection.RemoteIpAddress?.ToString(),
            http is null ? null : ResponseHeadersMiddleware.RequestId(http), subjectUserId, subjectKeyId, details, subject);
    }

    /// <summary>
    /// Records an event about work done outside the request that asked for it (a queued execution): it is told whose
    /// work it is, since the request is long gone.
    /// </summary>
    public Task RecordForAsync(
        AuditOrigin origin, string type, IReadOnlyDictionary<string, string> details, string subject)
    {
        ArgumentNullException.ThrowIfNull(origin);
        var caller = new Caller(origin.TenantId, string.Empty, false, origin.KeyId, origin.KeyPrefix, null);
        return PublishAsync(
            type, caller, ActorOf(caller, null), null, origin.RequestId, null, null, details, subject);
    }

    private async Task PublishAsync(
        string type,
        Caller? caller,
        string? actor,
        string? clientAddress,
        string? requestId,
        Guid? subjectUserId,
        Guid? subjectKeyId,
        IReadOnlyDictionary<string, string>? details,
        string? subject)
    {
        var @event = new AuditEvent(
            Guid.CreateVersion7(),
            type,
            time.GetUtcNow(),
            caller?.UserId,
            caller?.KeyId,
            caller?.KeyPrefix,
            subjectUserId,
            subjectKeyId,
            clientAddress,
            requestId,
            details ?? new Dictionary<string, string>())
        {
            TenantId = subjectUserId ?? caller?.UserId,
            Actor = actor,
            Subject = subject ?? (subjectKeyId is { } key ? "key:" + key : subjectUserId is { } u ? "user:" + u : null),
            Source = DaprNames.ApiAppId,
            TraceId = Activity.Current?.TraceId.ToHexString(),
        };
        try
        {
            await publisher.PublishAsync(DaprNames.AuditTopic, @event, CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.AuditNotPublished(logger, e, type, @event.Id);
            retries.TryEnqueue(@event);
        }
    }

    /// <summary>
    /// Records a refusal (failed authentication, spent limit) unless the same source had one of the same kind within
    /// the last minute.
    /// </summary>
    public Task RecordRefusalAsync(string type, string source, IReadOnlyDictionary<string, string> details)
    {
        var now = time.GetUtcNow();
        var key = type + "|" + source;
        var last = _lastRefusal.GetOrAdd(key, DateTimeOffset.MinValue);
        if (now - last < RefusalWindow || !_lastRefusal.TryUpdate(key, now, last))
        {
            return Task.CompletedTask;
        }

        if (_lastRefusal.Count > 100_000)
        {
            // Bounded memory under a flood from many sources: forget old windows, at worst recording a few twice.
            foreach (var (stale, at) in _lastRefusal)
            {
                if (now - at >= RefusalWindow)
                {
                    _lastRefusal.TryRemove(KeyValuePair.Create(stale, at));
                }
            }
        }

        return RecordAsync(type, details: details);
    }

    // Outside a request (startup work such as the admin bootstrap) the service itself acted.
    private static string? ActorOf(Caller? caller, HttpContext? http) => caller switch
    {
        { KeyId: { } key } => "key:" + key,
        not null => "jwt:" + caller.UserId,
        null when http is null => "system",
        _ => null,
    };
}

/// <summary>Whose work an event describes when no request is at hand: the tenant, its key, the submitting request.</summary>
public sealed record AuditOrigin(Guid TenantId, Guid? KeyId, string? KeyPrefix, string? RequestId);
