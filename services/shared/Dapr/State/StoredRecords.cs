using WasmWizard.Shared.Ports;

namespace WasmWizard.Shared.Dapr.State;

/// <summary>
/// Records as the Dapr stores keep them: every time in UTC, which is how the SQLite stores hand them back too,
/// so both implementations answer with equal values.
/// </summary>
/// <remarks>
/// The documents are the port records in camelCase JSON, so renaming a member of one is a change of stored
/// format that needs a migration.
/// </remarks>
internal static class StoredRecords
{
    public static UserRecord Stored(this UserRecord user) =>
        user with { CreatedAt = user.CreatedAt.ToUniversalTime() };

    public static ApiKeyRecord Stored(this ApiKeyRecord key) => key with
    {
        CreatedAt = key.CreatedAt.ToUniversalTime(),
        RevokedAt = key.RevokedAt?.ToUniversalTime(),
        ExpiresAt = key.ExpiresAt?.ToUniversalTime(),
        LastUsedAt = key.LastUsedAt?.ToUniversalTime(),
        Scopes = key.Scopes.ToArray(),
    };

    public static ModuleRecord Stored(this ModuleRecord module) =>
        module with { CreatedAt = module.CreatedAt.ToUniversalTime() };

    public static ExecutionRecord Stored(this ExecutionRecord execution) =>
        execution with { CreatedAt = execution.CreatedAt.ToUniversalTime() };
}
