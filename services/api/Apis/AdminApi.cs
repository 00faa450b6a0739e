using System.Net.Mail;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using WasmWizard.Api.Audit;
using WasmWizard.Api.Auth;
using WasmWizard.Api.Http;
using WasmWizard.Api.Model;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Api.Apis;

/// <summary>User management for administrators.</summary>
public static class AdminApi
{
    private const int MaxEmailLength = 254;

    /// <summary>Maps the admin routes under <c>/api/admin</c>.</summary>
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/admin").WithTags("Admin").RequireAuthorization(WasmWizardClaims.AdminPolicy);

        api.MapPost("/users", CreateUserAsync).WithName("CreateUser").WithSummary("Create a user with a tier and a first API key");
        api.MapGet("/users", ListUsersAsync).WithName("ListUsers").WithSummary("List users");
        api.MapPut("/users/{id:guid}/tier", SetTierAsync).WithName("SetUserTier").WithSummary("Change a user's tier");
        return app;
    }

    /// <summary>JSON <c>{"email": "...", "tier": "free|basic|pro|enterprise"}</c>.</summary>
    public static async Task<Results<Created<UserCreatedResponse>, ProblemHttpResult>> CreateUserAsync(
        HttpRequest request,
        IIdentityStore identities,
        AuditRecorder audit,
        IOptionsMonitor<ApiOptions> options,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadObjectAsync(request, options.CurrentValue.MaxJsonBodyBytes, allowEmpty: false, cancellationToken);
        var email = NormalizeEmail(JsonFields.String(body!.Value, "email"));
        var tier = RequireTier(JsonFields.String(body.Value, "tier") ?? Tiers.Free);

        var now = time.GetUtcNow();
        var user = new UserRecord(Guid.CreateVersion7(), email, tier, IsAdmin: false, now);
        var (key, secret) = KeysApi.NewKey(user.Id, "first key", now, ApiScopes.UserDefault);
        if (!await identities.TryCreateUserAsync(user, key, cancellationToken))
        {
            return ApiProblems.Create(StatusCodes.Status409Conflict, ErrorCodes.EmailTaken, "A user with this email already exists.");
        }

        await audit.RecordAsync(AuditEventTypes.UserCreated, user.Id, details: new Dictionary<string, string> { ["tier"] = tier });
        await audit.RecordAsync(AuditEventTypes.KeyCreated, user.Id, key.Id, KeysApi.Describe(key));

        return TypedResults.Created(
            $"/api/admin/users/{user.Id}",
            new UserCreatedResponse(user.Id, user.Email, user.Tier, secret, key.Id, user.CreatedAt));
    }

    /// <summary>JSON <c>{"tier": "..."}</c>; the new limits apply to the user's next request.</summary>
    public static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> SetTierAsync(
        Guid id,
        HttpRequest request,
        IIdentityStore identities,
        AuditRecorder audit,
        IOptionsMonitor<ApiOptions> options,
        CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadObjectAsync(request, options.CurrentValue.MaxJsonBodyBytes, allowEmpty: false, cancellationToken);
        var tier = RequireTier(JsonFields.String(body!.Value, "tier"));
        var before = await identities.GetUserAsync(id, cancellationToken);
        var user = before is null ? null : await identities.SetTierAsync(id, tier, cancellationToken);
        if (user is null)
        {
            return ApiProblems.Create(StatusCodes.Status404NotFound, ErrorCodes.NotFound, "No such user.");
        }

        await audit.RecordAsync(
            AuditEventTypes.TierChanged,
            user.Id,
            details: new Dictionary<string, string> { ["previous_tier"] = before!.Tier, ["tier"] = user.Tier });
        return TypedResults.Ok(UserResponse.From(user));
    }

    /// <summary>Query <c>page</c> (from 1) and <c>limit</c>.</summary>
    public static async Task<Ok<UserListResponse>> ListUsersAsync(
        HttpRequest request, IIdentityStore identities, IOptionsMonitor<ApiOptions> options, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var page = QueryValues.Int32(request, "page", 1, 1, 1_000_000);
        var limit = QueryValues.Int32(request, "limit", settings.DefaultPageSize, 1, settings.MaxPageSize);
        var result = await identities.ListUsersAsync((page - 1) * limit, limit, cancellationToken);
        return TypedResults.Ok(new UserListResponse(
            result.Items.Select(UserResponse.From).ToList(), page, limit, result.Total, (long)page * limit < result.Total));
    }

    private static string RequireTier(string? tier) => Tiers.IsKnown(tier)
        ? tier!
        : throw new ApiProblemException(
            StatusCodes.Status400BadRequest, ErrorCodes.InvalidField, $"The tier must be one of {string.Join(", ", Tiers.All)}.");

    private static string NormalizeEmail(string? email)
    {
        var trimmed = email?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > MaxEmailLength || trimmed.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))
            || !MailAddress.TryCreate(trimmed, out var address) || address.Address != trimmed)
        {
            throw new ApiProblemException(
                StatusCodes.Status400BadRequest, ErrorCodes.InvalidField, "The field 'email' must be an email address.");
        }

        var normalized = trimmed.ToLowerInvariant();
        if (normalized.EndsWith("@" + ExternalUsers.EmailDomain, StringComparison.Ordinal))
        {
            // Taken, the address would block the JWT tenant whose made-up email it is from ever signing in.
            throw new ApiProblemException(
                StatusCodes.Status400BadRequest, ErrorCodes.InvalidField, $"Emails at '{ExternalUsers.EmailDomain}' are reserved.");
        }

        return normalized;
    }
}
