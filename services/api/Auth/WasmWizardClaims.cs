namespace WasmWizard.Api.Auth;

/// <summary>Claim types the api puts on an authenticated caller.</summary>
public static class WasmWizardClaims
{
    /// <summary>The user's id.</summary>
    public const string UserId = "ww:user_id";

    /// <summary>The user's tier.</summary>
    public const string Tier = "ww:tier";

    /// <summary>The id of the API key used (never the key).</summary>
    public const string KeyId = "ww:key_id";

    /// <summary>The display prefix of the API key used, for audit records.</summary>
    public const string KeyPrefix = "ww:key_prefix";

    /// <summary>When the API key used expires (Unix seconds), if it does.</summary>
    public const string KeyExpiresAt = "ww:key_expires_at";

    /// <summary>One claim per scope the credential carries.</summary>
    public const string Scope = "ww:scope";

    /// <summary>The policy of endpoints that read modules: either <c>execute</c> or <c>upload</c> will do.</summary>
    public const string ReadModulesPolicy = "scope:read";

    /// <summary>The name of the policy that requires <paramref name="scope"/>.</summary>
    public static string ScopePolicy(string scope) => "scope:" + scope;

    /// <summary>The role that grants the admin endpoints.</summary>
    public const string AdminRole = "admin";

    /// <summary>The authorization policy of the admin endpoints.</summary>
    public const string AdminPolicy = "admin";
}
