namespace WasmWizard.Api.Auth;

/// <summary>Sign-in with JSON Web Tokens besides API keys. Off unless an issuer and a key source are configured.</summary>
/// <remarks>
/// Configuration shape (section <c>Auth:Jwt</c>):
/// <code>
/// "Auth": { "Jwt": {
///   "Issuer": "https://login.example.com/", "Audience": "wasmwizard",
///   "SigningKey": "&lt;base64, at least 32 bytes&gt;"            (local use: HS256)
///   "Authority": "https://login.example.com/",                   (production: OpenID Connect discovery + JWKS)
///   "RequireHttpsMetadata": true, "TenantClaim": "sub", "TierClaim": "tier", "RoleClaim": "roles",
///   "AdminRole": "admin", "DefaultTier": "free", "ClockSkewSeconds": 30 } }
/// </code>
/// </remarks>
public sealed class JwtOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Auth:Jwt";

    /// <summary>The required <c>iss</c>.</summary>
    public string? Issuer { get; set; }

    /// <summary>The required <c>aud</c>.</summary>
    public string? Audience { get; set; }

    /// <summary>A symmetric signing key, base64 (local use).</summary>
    public string? SigningKey { get; set; }

    /// <summary>An OpenID Connect authority whose discovery document and JWKS give the signing keys.</summary>
    public string? Authority { get; set; }

    /// <summary>Whether the authority's metadata must come over HTTPS (switch off only for local testing).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>The claim naming the tenant.</summary>
    public string TenantClaim { get; set; } = "sub";

    /// <summary>The claim naming the tier.</summary>
    public string TierClaim { get; set; } = "tier";

    /// <summary>The claim holding roles (one claim per role, or a JSON array).</summary>
    public string RoleClaim { get; set; } = "roles";

    /// <summary>The role that grants the admin endpoints.</summary>
    public string AdminRole { get; set; } = "admin";

    /// <summary>The tier of a token without a tier claim.</summary>
    public string DefaultTier { get; set; } = "free";

    /// <summary>Allowed clock difference when checking expiry, in seconds.</summary>
    public int ClockSkewSeconds { get; set; } = 30;

    /// <summary>Whether JWT sign-in is configured at all.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Issuer)
        && (!string.IsNullOrWhiteSpace(SigningKey) || !string.IsNullOrWhiteSpace(Authority));
}
