namespace WasmWizard.Shared.Ports;

/// <summary>Stored modules: metadata plus content-addressed bytes.</summary>
public interface IModuleStore
{
    /// <summary>Stores a module's metadata and, unless identical bytes are already stored, its bytes.</summary>
    Task AddAsync(ModuleRecord module, byte[] bytes, CancellationToken cancellationToken);

    /// <summary>Finds a module by id, whoever owns it.</summary>
    Task<ModuleRecord?> GetAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>Lists the owner's modules (and, when asked, everybody's public ones), newest first.</summary>
    Task<PagedResult<ModuleRecord>> ListAsync(
        Guid ownerId, bool includePublic, int offset, int limit, CancellationToken cancellationToken);

    /// <summary>Deletes one of the owner's modules. Returns null when the owner has no such module.</summary>
    Task<DeletedModule?> DeleteAsync(Guid ownerId, Guid moduleId, CancellationToken cancellationToken);

    /// <summary>How many modules the owner has and how many bytes they take.</summary>
    Task<ModuleUsage> GetUsageAsync(Guid ownerId, CancellationToken cancellationToken);

    /// <summary>Returns the bytes stored under a SHA-256, or null.</summary>
    Task<byte[]?> GetBytesAsync(string sha256, CancellationToken cancellationToken);
}
