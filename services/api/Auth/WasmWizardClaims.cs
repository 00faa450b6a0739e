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

    /// <summary>The role that grants the admin endpoints.</summary>
    public const string AdminRole = "admin";

    /// <summary>The authorization policy of the admin endpoints.</summary>
    public const string AdminPolicy = "admin";
}
