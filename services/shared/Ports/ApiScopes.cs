namespace WasmWizard.Shared.Ports;

/// <summary>What an API key may be allowed to do.</summary>
public static class ApiScopes
{
    /// <summary>Run modules (stored or ad hoc).</summary>
    public const string Execute = "execute";

    /// <summary>Upload and delete modules.</summary>
    public const string Upload = "upload";

    /// <summary>Create, list and revoke one's own keys.</summary>
    public const string Keys = "keys";

    /// <summary>Use the admin endpoints (only for admin users).</summary>
    public const string Admin = "admin";

    /// <summary>Every scope, in a stable order.</summary>
    public static IReadOnlyList<string> All { get; } = [Execute, Upload, Keys, Admin];

    /// <summary>What a new key of an ordinary user gets unless it asks for less.</summary>
    public static IReadOnlyList<string> UserDefault { get; } = [Execute, Upload, Keys];

    /// <summary>Whether <paramref name="scope"/> is a known scope.</summary>
    public static bool IsKnown(string scope) => All.Contains(scope, StringComparer.Ordinal);
}
