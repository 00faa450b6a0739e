using System.Security.Cryptography;
using System.Text;

namespace WasmWizard.Shared.Dapr.State;

/// <summary>
/// The keys the Dapr stores use in <see cref="DaprNames.StateStore"/>; <c>services/shared/Dapr/README.md</c> lists
/// them with what each holds. Every variable part is a GUID or lower-case hex, so no key can contain <c>||</c>.
/// </summary>
internal static class StateKeys
{
    /// <summary>Every user id, newest first.</summary>
    public const string Users = "users";

    /// <summary>Every public module id, newest first.</summary>
    public const string PublicModules = "public-modules";

    /// <summary>Every completed job still kept, oldest completion first, for retention.</summary>
    public const string CompletedJobs = "jobs-completed";

    public static string User(Guid id) => "user:" + Id(id);

    /// <summary>
    /// Hashed rather than written out: an address may legally contain <c>||</c> (Dapr's prefix separator), and a
    /// hash keeps addresses out of key names, which store monitoring shows.
    /// </summary>
    public static string UserEmail(string email) => "user-email:" + Sha256(email.ToLowerInvariant());

    public static string UserKeys(Guid userId) => "user-keys:" + Id(userId);

    public static string ApiKey(Guid id) => "api-key:" + Id(id);

    /// <summary>Null for anything but a lower-case hex SHA-256, which no stored key can have.</summary>
    public static string? KeyHash(string keyHash) => IsSha256(keyHash) ? "key-hash:" + keyHash : null;

    public static string Module(Guid id) => "module:" + Id(id);

    public static string OwnerModules(Guid ownerId) => "owner-modules:" + Id(ownerId);

    public static string ModuleRefs(string sha256) => IsSha256(sha256)
        ? "module-refs:" + sha256
        : throw new ArgumentException("A module's content hash is its lower-case hex SHA-256.", nameof(sha256));

    public static string Execution(Guid id) => "execution:" + Id(id);

    public static string ExecutionJob(Guid id) => "job:" + Id(id);

    public static string TenantJobs(Guid tenantId) => "jobs:" + Id(tenantId);

    /// <summary>
    /// Hashed, as an address is: an idempotency key is the client's free text, and may contain <c>||</c>.
    /// </summary>
    public static string ExecutionJobKey(Guid tenantId, string idempotencyKey) =>
        "job-key:" + Id(tenantId) + ":" + Sha256(idempotencyKey);

    public static bool IsSha256(string? value) =>
        value is { Length: 64 } && value.All(char.IsAsciiHexDigitLower);

    /// <summary>
    /// The order SQLite lists by (<c>ORDER BY id DESC</c> on the text form), which for version 7 ids is creation
    /// order; both stores use it so they list alike.
    /// </summary>
    public static string Id(Guid id) => id.ToString("D");

    private static string Sha256(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
