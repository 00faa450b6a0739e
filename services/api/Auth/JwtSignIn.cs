using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using WasmWizard.Api.Http;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Api.Auth;

/// <summary>
/// How a validated JWT becomes a caller: the tenant claim names the owner of modules and runs, the tier claim the
/// limits, the role claim the admin endpoints. JWT callers may run and upload; only API keys manage API keys.
/// </summary>
public static class JwtSignIn
{
    /// <summary>The scheme name.</summary>
    public const string SchemeName = "Jwt";

    /// <summary>Applies <paramref name="settings"/> to the JWT bearer handler.</summary>
    public static void Configure(JwtBearerOptions bearer, JwtOptions settings)
    {
        ArgumentNullException.ThrowIfNull(bearer);
        ArgumentNullException.ThrowIfNull(settings);
        bearer.MapInboundClaims = false;
        bearer.RequireHttpsMetadata = settings.RequireHttpsMetadata;
        bearer.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = settings.Issuer,
            ValidAudience = settings.Audience,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = TimeSpan.FromSeconds(settings.ClockSkewSeconds),
            NameClaimType = WasmWizardClaims.UserId,
            RoleClaimType = ClaimTypes.Role,
        };
        if (!string.IsNullOrWhiteSpace(settings.Authority))
        {
            bearer.Authority = settings.Authority;
        }
        else
        {
            bearer.TokenValidationParameters.IssuerSigningKey =
                new SymmetricSecurityKey(JwtOptionsValidator.TryDecode(settings.SigningKey!)!);
            bearer.TokenValidationParameters.ValidAlgorithms =
                [SecurityAlgorithms.HmacSha256, SecurityAlgorithms.HmacSha384, SecurityAlgorithms.HmacSha512];
        }

        bearer.Events = new JwtBearerEvents
        {
            OnTokenValidated = context => ToCallerAsync(context, settings),
            OnAuthenticationFailed = context =>
            {
                AuthFailureReason.Remember(context.HttpContext, AuthFailureReason.Describe(context.Exception));
                return Task.CompletedTask;
            },
            OnChallenge = WriteChallengeAsync,
        };
    }

    /// <summary>
    /// The tenant's user id: derived from issuer and tenant, always. Taking a GUID-shaped claim as the id itself
    /// would let a token whose subject is some API-key user's id act as that user; derived, one issuer's tenant
    /// never collides with another's or with a user created here.
    /// </summary>
    public static Guid TenantId(string issuer, string tenant)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(tenant);
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(issuer + "\n" + tenant))[..16];
        bytes[6] = (byte)((bytes[6] & 0x0f) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3f) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    private static async Task ToCallerAsync(TokenValidatedContext context, JwtOptions settings)
    {
        var token = context.Principal!;
        var tenant = token.FindFirst(settings.TenantClaim)?.Value;
        if (string.IsNullOrWhiteSpace(tenant))
        {
            AuthFailureReason.Remember(context.HttpContext, $"The token has no '{settings.TenantClaim}' claim.");
            context.Fail($"The token has no '{settings.TenantClaim}' claim.");
            return;
        }

        var tier = token.FindFirst(settings.TierClaim)?.Value ?? settings.DefaultTier;
        if (!Tiers.IsKnown(tier))
        {
            AuthFailureReason.Remember(context.HttpContext, "The token names an unknown tier.");
            context.Fail("The token names an unknown tier.");
            return;
        }

        var isAdmin = token.FindAll(settings.RoleClaim).Any(c => c.Value == settings.AdminRole);
        var userId = TenantId(settings.Issuer!, tenant);
        var users = context.HttpContext.RequestServices.GetRequiredService<ExternalUsers>();
        var time = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>();
        await users.EnsureAsync(ExternalUsers.Describe(userId, tier, time.GetUtcNow()), context.HttpContext.RequestAborted);

        var claims = new List<Claim>
        {
            new(WasmWizardClaims.UserId, userId.ToString()),
            new(WasmWizardClaims.Tier, tier),
            new(WasmWizardClaims.Scope, ApiScopes.Execute),
            new(WasmWizardClaims.Scope, ApiScopes.Upload),
        };
        if (isAdmin)
        {
            claims.Add(new Claim(ClaimTypes.Role, WasmWizardClaims.AdminRole));
            claims.Add(new Claim(WasmWizardClaims.Scope, ApiScopes.Admin));
        }

        context.Principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, WasmWizardClaims.UserId, ClaimTypes.Role));
    }

    private static async Task WriteChallengeAsync(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        var reason = AuthFailureReason.Describe(context.AuthenticateFailure);
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        var problems = context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context.HttpContext,
            ProblemDetails = ApiProblems.Details(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized, reason),
        });
    }

    /// <summary>
    /// Picks the scheme for a request: anything that starts with <c>ww_</c> (and anything at all while JWT sign-in is
    /// off) is an API key; other bearer tokens are JWTs.
    /// </summary>
    public static string SelectScheme(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var jwt = context.RequestServices.GetRequiredService<IOptions<JwtOptions>>().Value;
        if (!jwt.Enabled)
        {
            return ApiKeyAuthenticationHandler.SchemeName;
        }

        var header = context.Request.Headers.Authorization.ToString();
        const string bearer = "Bearer ";
        var isJwt = header.StartsWith(bearer, StringComparison.OrdinalIgnoreCase)
            && !header.AsSpan(bearer.Length).TrimStart().StartsWith(ApiKeys.Prefix, StringComparison.Ordinal);
        return isJwt ? SchemeName : ApiKeyAuthenticationHandler.SchemeName;
    }
}
