using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using WasmWizard.Api.Auth;
using WasmWizard.Api.Http;
using WasmWizard.Api.Model;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Api.Apis;

/// <summary>The caller's own API keys: create more, list them, revoke one.</summary>
public static class KeysApi
{
    private const int MaxNameLength = 100;

    /// <summary>Maps the key routes under <c>/api/auth/keys</c>.</summary>
    public static IEndpointRouteBuilder MapKeysApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/auth/keys").WithTags("Keys").RequireAuthorization();
        api.MapPost("/", CreateAsync).WithName("CreateKey").WithSummary("Create another API key (shown once)");
        api.MapGet("/", ListAsync).WithName("ListKeys").WithSummary("List your API keys (prefixes only)");
        api.MapDelete("/{id:guid}", RevokeAsync).WithName("RevokeKey").WithSummary("Revoke one of your API keys");
        return app;
    }

    /// <summary>Optional JSON <c>{"name": "..."}</c>.</summary>
    public static async Task<Created<KeyCreatedResponse>> CreateAsync(
        HttpRequest request,
        ClaimsPrincipal user,
        IIdentityStore identities,
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

        var (record, key) = NewKey(caller.UserId, name ?? "api key", time.GetUtcNow());
        await identities.AddKeyAsync(record, cancellationToken);
        return TypedResults.Created(
            $"/api/auth/keys/{record.Id}",
            new KeyCreatedResponse(record.Id, record.Name, record.Prefix, key, record.CreatedAt));
    }

    /// <summary>The caller's keys, newest first, revoked ones included.</summary>
    public static async Task<Ok<KeyListResponse>> ListAsync(
        ClaimsPrincipal user, IIdentityStore identities, CancellationToken cancellationToken)
    {
        var keys = await identities.ListKeysAsync(Caller.From(user).UserId, cancellationToken);
        return TypedResults.Ok(new KeyListResponse(keys.Select(KeyResponse.From).ToList()));
    }

    /// <summary>Revokes a key of the caller's; it stops working at once.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        Guid id, ClaimsPrincipal user, IIdentityStore identities, TimeProvider time, CancellationToken cancellationToken)
    {
        var revoked = await identities.RevokeKeyAsync(Caller.From(user).UserId, id, time.GetUtcNow(), cancellationToken);
        return revoked
            ? TypedResults.NoContent()
            : ApiProblems.Create(StatusCodes.Status404NotFound, ErrorCodes.NotFound, "No such API key.");
    }

    /// <summary>A fresh key for <paramref name="userId"/>: the record to store and the key to show once.</summary>
    public static (ApiKeyRecord Record, string Key) NewKey(Guid userId, string name, DateTimeOffset now)
    {
        var key = ApiKeys.Generate();
        return (new ApiKeyRecord(Guid.CreateVersion7(), userId, name, ApiKeys.DisplayPrefix(key), ApiKeys.Hash(key), now, null), key);
    }
}
