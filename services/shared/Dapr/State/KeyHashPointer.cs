namespace WasmWizard.Shared.Dapr.State;

/// <summary>
/// Where the key with a given secret hash lives (<c>key-hash:{sha256}</c>). Both ids are fixed for the key's
/// life, so the pointer is written once and never needs a check.
/// </summary>
/// <param name="KeyId">The key, at <c>api-key:{id}</c>.</param>
/// <param name="UserId">Its owner, so both can be read in one round trip.</param>
internal sealed record KeyHashPointer(Guid KeyId, Guid UserId);
