using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WasmWizard.Api.Http;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Api.Auth;

/// <summary>
/// Authenticates <c>Authorization: Bearer ww_...</c> against the SHA-256 of stored keys. Missing, unknown and
/// revoked keys all answer 401 with the same problem body, so the answer reveals nothing about which it was.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IIdentityStore identities,
    IProblemDetailsService problems,
    KeyUsageTracker usage,
    TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The scheme name.</summary>
    public const string SchemeName = "ApiKey";

    /// <inheritdoc />
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization;
        if (header.Count == 0)
        {
            return AuthenticateResult.NoResult();
        }

        var value = header.Count == 1 ? header[0] : null;
        if (value is null || !value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Failed("The Authorization header is not a Bearer credential.");
        }

        var key = value["Bearer ".Length..].Trim();
        if (!ApiKeys.HasKeyShape(key))
        {
            return Failed("The credential is not an API key.");
        }

        var now = time.GetUtcNow();
        var found = await identities.FindActiveKeyAsync(ApiKeys.Hash(key), now, Context.RequestAborted).ConfigureAwait(false);
        if (found is not { } match)
        {
            return Failed("The API key is unknown, revoked or expired.");
        }

        usage.Record(match.Key.Id, now);
        var claims = new List<Claim>
        {
            new(WasmWizardClaims.UserId, match.User.Id.ToString()),
            new(WasmWizardClaims.Tier, match.User.Tier),
            new(WasmWizardClaims.KeyId, match.Key.Id.ToString()),
            new(WasmWizardClaims.KeyPrefix, match.Key.Prefix),
        };
        claims.AddRange(match.Key.Scopes.Select(scope => new Claim(WasmWizardClaims.Scope, scope)));
        if (match.Key.ExpiresAt is { } expires)
        {
            claims.Add(new Claim(
                WasmWizardClaims.KeyExpiresAt, expires.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        if (match.User.IsAdmin)
        {
            claims.Add(new Claim(ClaimTypes.Role, WasmWizardClaims.AdminRole));
        }

        var identity = new ClaimsIdentity(claims, SchemeName, WasmWizardClaims.UserId, ClaimTypes.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    private AuthenticateResult Failed(string reason)
    {
        AuthFailureReason.Remember(Context, reason);
        return AuthenticateResult.Fail(reason);
    }

    /// <inheritdoc />
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = ApiProblems.Details(
                StatusCodes.Status401Unauthorized,
                ErrorCodes.Unauthorized,
                "A valid API key is required: send Authorization: Bearer ww_..."),
        }).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = ApiProblems.Details(
                StatusCodes.Status403Forbidden, ErrorCodes.Forbidden,
                "This credential may not use this endpoint: it lacks the scope or role the endpoint needs."),
        }).ConfigureAwait(false);
    }
}
