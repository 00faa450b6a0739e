using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using WasmWizard.Api.Audit;
using WasmWizard.Api.Auth;
using WasmWizard.Api.Http;
using WasmWizard.Api.Model;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Api.Apis;

/// <summary>The caller's own API keys: create more, list them, revoke one.</summary>
public static class KeysApi
{
    private const int MaxNameLength = 100;

    /// <summary>Maps the key routes under <c>/api/auth/keys</c>.</summary>
    public static IEndpointRouteBuilder MapKeysApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/auth/keys").WithTags("Keys").RequireAuthorization(WasmWizardClaims.ScopePolicy(ApiScopes.Keys));
        api.MapPost("/", CreateAsync).WithName("CreateKey").WithSummary("Create another API key (shown once)");
        api.MapGet("/", ListAsync).WithName("ListKeys").WithSummary("List your API keys (prefixes only)");
        api.MapDelete("/{id:guid}", RevokeAsync).WithName("RevokeKey").WithSummary("Revoke one of your API keys");
        return app;
    }

    /// <summary>
    /// Optional JSON <c>name</c>, <c>scopes</c> (a subset of the calling credential's) and <c>expires_at</c>
    /// (RFC 3339, in the future).
    /// </summary>
    public static async Task<Created<KeyCreatedResponse>> CreateAsync(
        HttpRequest request,
        ClaimsPrincipal user,
        IIdentityStore identities,
        AuditRecorder audit,
        IOptionsMonitor<ApiOptions> options,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        var body = await JsonBody.ReadObjectAsync(request, options.CurrentValue.MaxJsonBodyBytes, allowEmpty: true, cancellationToken);
        var name = body is { } json ? JsonFields.String(json, "name") : null;
        if (name is not null && (name.Length is 0 or > MaxNameLength || name.Any(char.IsControl)))
        {
            throw new ApiProblemException(
                StatusCodes.Status400BadRequest, ErrorCodes.InvalidField,
                $"The key name must be 1 to {MaxNameLength} characters of text.");
        }

        var now = time.GetUtcNow();
        var held = Caller.ScopesOf(user);
        var scopes = body is { } b && JsonFields.StringArray(b, "scopes") is { } asked ? asked.Distinct().ToList() : held.ToList();
        if (scopes.Count == 0)
        {
            // A key that may do nothing is only a secret to leak: it still signs in and reads its owner's audit trail.
            throw new ApiProblemException(
                StatusCodes.Status400BadRequest, ErrorCodes.InvalidField,
                $"A key needs at least one scope; scopes are {string.Join(", ", ApiScopes.All)}.");
        }

        if (scopes.FirstOrDefault(s => !ApiScopes.IsKnown(s)) is { } unknown)
        {
            throw new ApiProblemException(
                StatusCodes.Status400BadRequest, ErrorCodes.InvalidField,
                $"Unknown scope '{MultipartFormReader.Printable(unknown)}'; scopes are {string.Join(", ", ApiScopes.All)}.");
        }

        if (scopes.FirstOrDefault(s => !held.Contains(s)) is { } beyond)
        {
            // A key can hand out what it has, never more.
            throw new ApiProblemException(
                StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, $"This credential does not hold the '{beyond}' scope.");
        }

        // A key cannot outlive the key that made it: an expiring key would otherwise mint a permanent one.
        var expiresAt = ExpiresAt(body, now);
        if (caller.KeyExpiresAt is { } limit && (expiresAt is null || expiresAt > limit))
        {
            expiresAt = limit;
        }

        var maxKeys = options.CurrentValue.MaxActiveKeysPerUser;
        var (record, key) = NewKey(caller.UserId, name ?? "api key", now, scopes, expiresAt);
        if (!await identities.TryAddKeyAsync(record, maxKeys, cancellationToken))
        {
            throw new ApiProblemException(
                StatusCodes.Status409Conflict, ErrorCodes.KeyLimit,
                $"A user may hold at most {maxKeys} active keys; revoke one first.");
        }
        await audit.RecordAsync(AuditEventTypes.KeyCreated, caller.UserId, record.Id, Describe(record));
        return TypedResults.Created(
            $"/api/auth/keys/{record.Id}",
            new KeyCreatedResponse(record.Id, record.Id, record.Name, record.Prefix, key, record.Scopes, record.CreatedAt, expiresAt));
    }

    /// <summary>The caller's keys, newest first, revoked and expired ones included; a bare array, as before.</summary>
    public static async Task<Ok<List<KeyResponse>>> ListAsync(
        ClaimsPrincipal user, IIdentityStore identities, KeyUsageTracker usage, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        var keys = await identities.ListKeysAsync(caller.UserId, cancellationToken);
        var now = time.GetUtcNow();
        return TypedResults.Ok(keys.Select(k => KeyResponse.From(k, caller.Tier, now, usage.Pending(k.Id))).ToList());
    }

    /// <summary>
    /// Revokes a key of the caller's; it stops working at once. Only a credential holding every scope of that key
    /// may revoke it, as only such a credential could have made it.
    /// </summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        Guid id,
        HttpContext http,
        IIdentityStore identities,
        AuditRecorder audit,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var owner = Caller.From(http.User).UserId;
        var target = (await identities.ListKeysAsync(owner, cancellationToken)).FirstOrDefault(k => k.Id == id);
        if (target is null)
        {
            return ApiProblems.Create(StatusCodes.Status404NotFound, ErrorCodes.NotFound, "No such API key.");
        }

        // A leaked key that may only manage keys must not be able to take the owner's working keys away.
        var held = Caller.ScopesOf(http.User);
        if (target.Scopes.FirstOrDefault(s => !held.Contains(s)) is { } beyond)
        {
            return ApiProblems.Create(
                StatusCodes.Status403Forbidden,
                ErrorCodes.Forbidden,
                $"That key holds the '{beyond}' scope, which this credential does not; revoke it with one that does.");
        }

        // Revoking twice changes nothing, so it answers the same and leaves the trail with one key.revoked event.
        if (target.RevokedAt is not null)
        {
            return TypedResults.NoContent();
        }

        if (!await identities.RevokeKeyAsync(owner, id, time.GetUtcNow(), cancellationToken))
        {
            return ApiProblems.Create(StatusCodes.Status404NotFound, ErrorCodes.NotFound, "No such API key.");
        }

        await audit.RecordAsync(AuditEventTypes.KeyRevoked, owner, id);
        return TypedResults.NoContent();
    }

    /// <summary>What an audit record says of a key: its prefix, scopes and expiry, never the key.</summary>
    public static Dictionary<string, string> Describe(ApiKeyRecord key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var details = new Dictionary<string, string> { ["prefix"] = key.Prefix, ["scopes"] = string.Join(' ', key.Scopes) };
        if (key.ExpiresAt is { } expires)
        {
            details["expires_at"] = expires.ToString("O", CultureInfo.InvariantCulture);
        }

        return details;
    }

    /// <summary>A fresh key for <paramref name="userId"/>: the record to store and the key to show once.</summary>
    public static (ApiKeyRecord Record, string Key) NewKey(
        Guid userId, string name, DateTimeOffset now, IReadOnlyList<string> scopes, DateTimeOffset? expiresAt = null)
    {
        var key = ApiKeys.Generate();
        return (RecordOf(key, userId, name, now, scopes, expiresAt), key);
    }

    /// <summary>The record that stores <paramref name="key"/> (its hash and prefix, never the key itself).</summary>
    public static ApiKeyRecord RecordOf(
        string key,
        Guid userId,
        string name,
        DateTimeOffset now,
        IReadOnlyList<string> scopes,
        DateTimeOffset? expiresAt = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new ApiKeyRecord(
            Guid.CreateVersion7(),
            userId,
            name,
            ApiKeys.DisplayPrefix(key),
            ApiKeys.Hash(key),
            now,
            null,
            scopes,
            expiresAt,
            null);
    }

    private static DateTimeOffset? ExpiresAt(JsonElement? body, DateTimeOffset now)
    {
        if (body is not { } json || JsonFields.String(json, "expires_at") is not { } text)
        {
            return null;
        }

        if (!TextValues.TryParseInstant(text, out var at) || at <= now)
        {
            throw new ApiProblemException(
                StatusCodes.Status400BadRequest, ErrorCodes.InvalidField,
                "The field 'expires_at' must be a date and time in the future (RFC 3339, with an offset).");
        }

        return at;
    }
}
