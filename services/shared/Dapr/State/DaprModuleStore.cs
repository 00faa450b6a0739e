using Dapr.Client;
using WasmWizard.Shared.Ports;
using static WasmWizard.Shared.Dapr.State.StateStoreClient;

namespace WasmWizard.Shared.Dapr.State;

/// <summary>
/// Stored modules in the shared Dapr state store, for the distributed deployment: metadata per upload, bytes once
/// per content hash at <see cref="DaprStateKeys.ModuleBytes"/> (raw, where the executor reads them). Behaves as
/// the embedded SQLite store does; the key model is in <c>services/shared/Dapr/README.md</c>.
/// </summary>
/// <remarks>
/// Index sizes: <c>owner-modules:{id}</c> has one entry of about 60 bytes per module, so the tier caps bound it
/// (1,000 modules, about 60 KB, for pro); enterprise has no cap, so an enterprise tenant's index grows without
/// bound and every upload and delete rewrites it. <c>public-modules</c> has about 45 bytes per public module of
/// every tenant. <c>module-refs:{sha}</c> lists the modules sharing one content.
/// </remarks>
public sealed class DaprModuleStore(DaprClient dapr, TimeProvider time) : IModuleStore
{
    private readonly StateStoreClient _state = new(dapr, time);

    /// <inheritdoc />
    public async Task AddAsync(ModuleRecord module, byte[] bytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(bytes);
        var bytesKey = DaprStateKeys.ModuleBytes(module.Sha256);
        var stored = module.Stored();
        if (await _state.AnyExistsAsync([StateKeys.Module(module.Id)], cancellationToken))
        {
            throw new InvalidOperationException($"A module with id {module.Id} is already stored.");
        }

        await _state.RetryAsync(
            "add module",
            async () =>
            {
                var indexes = await _state.EnsureManyAsync(IndexesOf(module), IdIndex.Empty, cancellationToken);
                var (owned, refs) = (indexes[0], indexes[1]);
                var operations = new List<StateTransactionRequest>
                {
                    Put(StateKeys.Module(module.Id), stored, ""),
                    Put(owned, owned.Value!.With(new IndexEntry(module.Id, module.SizeBytes))),
                    Put(refs, refs.Value!.With(new IndexEntry(module.Id))),
                };

                // The bytes travel only with the first reference; the ETag on the references decides who that is.
                if (refs.Value!.Count == 0)
                {
                    operations.Add(PutBytes(bytesKey, bytes));
                }

                if (module.IsPublic)
                {
                    operations.Add(Put(indexes[2], indexes[2].Value!.With(new IndexEntry(module.Id))));
                }

                return await _state.TryCommitAsync(operations, cancellationToken)
                    ? Attempt<bool>.Done(true)
                    : Attempt<bool>.Retry;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public async Task<ModuleRecord?> GetAsync(Guid id, CancellationToken cancellationToken) =>
        (await _state.ReadAsync<ModuleRecord>(StateKeys.Module(id), cancellationToken)).Value;

    /// <inheritdoc />
    public async Task<PagedResult<ModuleRecord>> ListAsync(
        Guid ownerId, bool includePublic, int offset, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var indexes = await _state.ReadManyAsync<IdIndex>(
            includePublic
                ? [StateKeys.OwnerModules(ownerId), StateKeys.PublicModules]
                : [StateKeys.OwnerModules(ownerId)],
            cancellationToken);
        var ids = IdIndex.Union(
            indexes[0].Value ?? IdIndex.Empty, indexes.ElementAtOrDefault(1).Value ?? IdIndex.Empty);
        var page = await _state.ReadManyAsync<ModuleRecord>(
            ids.Skip(offset).Take(limit).Select(StateKeys.Module).ToList(), cancellationToken);
        return new PagedResult<ModuleRecord>(page.Where(m => m.Exists).Select(m => m.Value!).ToList(), ids.Count);
    }

    /// <inheritdoc />
    public Task<DeletedModule?> DeleteAsync(Guid ownerId, Guid moduleId, CancellationToken cancellationToken) =>
        _state.RetryAsync(
            "delete module",
            async () =>
            {
                var module = await _state.ReadAsync<ModuleRecord>(StateKeys.Module(moduleId), cancellationToken);
                if (module.Value is not { } found || found.OwnerId != ownerId)
                {
                    return Attempt<DeletedModule?>.Done(null);
                }

                var indexes = await _state.ReadManyAsync<IdIndex>(IndexesOf(found), cancellationToken);
                var operations = new List<StateTransactionRequest> { Remove(module) };
                operations.AddRange(indexes
                    .Where(index => index.Exists)
                    .Select(index => Put(index, index.Value!.Without(moduleId))));
                var refs = indexes[1];
                var lastCopy = !(refs.Value?.Without(moduleId).Count > 0);
                if (lastCopy)
                {
                    // Dropped in the same transaction as the last reference, which is checked by its ETag, so an
                    // upload of the same content in between makes this pass fail rather than lose its bytes.
                    operations.RemoveAll(o => o.Key == refs.Key);
                    if (refs.Exists)
                    {
                        operations.Add(Remove(refs));
                    }

                    operations.Add(RemoveBytes(DaprStateKeys.ModuleBytes(found.Sha256)));
                }

                return await _state.TryCommitAsync(operations, cancellationToken)
                    ? Attempt<DeletedModule?>.Done(new DeletedModule(found.Sha256, lastCopy))
                    : Attempt<DeletedModule?>.Retry;
            },
            cancellationToken);

    /// <inheritdoc />
    public async Task<ModuleUsage> GetUsageAsync(Guid ownerId, CancellationToken cancellationToken)
    {
        var index = (await _state.ReadAsync<IdIndex>(StateKeys.OwnerModules(ownerId), cancellationToken)).Value;
        var entries = (index ?? IdIndex.Empty).Entries;
        return new ModuleUsage(entries.Count, entries.Sum(e => e.Bytes ?? 0));
    }

    /// <inheritdoc />
    public async Task<byte[]?> GetBytesAsync(string sha256, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sha256);

        // Anything but a lower-case hex SHA-256 names no stored module, as in the SQLite store.
        return StateKeys.IsSha256(sha256)
            ? await _state.ReadBytesAsync(DaprStateKeys.ModuleBytes(sha256), cancellationToken)
            : null;
    }

    /// <summary>
    /// The owner's index, the references to the content, and the public index if the module is public.
    /// </summary>
    private static IReadOnlyList<string> IndexesOf(ModuleRecord module) => module.IsPublic
        ? [StateKeys.OwnerModules(module.OwnerId), StateKeys.ModuleRefs(module.Sha256), StateKeys.PublicModules]
        : [StateKeys.OwnerModules(module.OwnerId), StateKeys.ModuleRefs(module.Sha256)];
}
