using WasmWizard.Shared.Ports;

namespace WasmWizard.Api.Model;

/// <summary>A stored module's metadata.</summary>
public sealed record ModuleResponse(
    Guid Id,
    string Name,
    string? Description,
    bool IsPublic,
    bool IsOwner,
    string Sha256,
    long SizeBytes,
    DateTimeOffset CreatedAt)
{
    /// <summary>Maps a stored module as seen by <paramref name="viewer"/>.</summary>
    public static ModuleResponse From(ModuleRecord module, Guid viewer) => new(
        module.Id,
        module.Name,
        module.Description,
        module.IsPublic,
        module.OwnerId == viewer,
        module.Sha256,
        module.SizeBytes,
        module.CreatedAt);
}
