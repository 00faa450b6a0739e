using System.Collections.Frozen;

namespace WasmWizard.Shared.Contracts.Events;

/// <summary>The kinds of security-relevant events.</summary>
public static class AuditEventTypes
{
    /// <summary>An admin created a user (or the first start created the admin).</summary>
    public const string UserCreated = "user.created";

    /// <summary>An admin changed a user's tier.</summary>
    public const string TierChanged = "user.tier_changed";

    /// <summary>An API key was issued.</summary>
    public const string KeyCreated = "key.created";

    /// <summary>An API key was revoked.</summary>
    public const string KeyRevoked = "key.revoked";

    /// <summary>A request presented a credential that did not authenticate.</summary>
    public const string AuthenticationFailed = "auth.failed";

    /// <summary>A request was refused because its rate or concurrency limit was spent.</summary>
    public const string RateLimitExceeded = "rate_limit.exceeded";

    /// <summary>A signed-in caller was refused (403): another tenant's data, an admin route, a missing scope.</summary>
    public const string AccessDenied = "access.denied";

    /// <summary>A module was uploaded (its content hash and size are in the details).</summary>
    public const string ModuleUploaded = "module.uploaded";

    /// <summary>A module was deleted.</summary>
    public const string ModuleDeleted = "module.deleted";

    /// <summary>
    /// A module ran: the module's hash, the limits applied, the duration, fuel used, output sizes and outcome are in the
    /// details; never its input or output.
    /// </summary>
    public const string ExecutionCompleted = "execution.completed";

    /// <summary>Every type above: what a metric may use as a label, since the set is small and fixed.</summary>
    public static FrozenSet<string> All { get; } = FrozenSet.Create(
        StringComparer.Ordinal,
        UserCreated,
        TierChanged,
        KeyCreated,
        KeyRevoked,
        AuthenticationFailed,
        RateLimitExceeded,
        AccessDenied,
        ModuleUploaded,
        ModuleDeleted,
        ExecutionCompleted);
}
