using System.Text.Json;
using Dapr;
using Dapr.Client;
using Grpc.Core;
using WasmWizard.Shared.Contracts;

namespace WasmWizard.Shared.Dapr.State;

/// <summary>
/// What the Dapr stores need from <see cref="DaprClient"/> on <see cref="DaprNames.StateStore"/>: JSON documents
/// with their ETags, raw module bytes, optimistic transactions, and one translation of failures.
/// </summary>
/// <remarks>
/// Documents are serialized here, not by the client, so a host that changes the client's JSON options cannot
/// change the stored format. A sidecar or store that does not answer becomes
/// <see cref="DependencyUnavailableException"/>; anything else (a refused request, a message over the gRPC limit,
/// contention that outlasts every retry) stays an error of its own, so a bug never looks like an outage.
/// </remarks>
internal sealed class StateStoreClient(DaprClient dapr, TimeProvider time)
{
    /// <summary>Passes of one optimistic operation before it gives up.</summary>
    public const int MaxAttempts = 24;

    private const string Store = DaprNames.StateStore;
    private const string Dependency = "state store";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly StateOptions FirstWrite = new() { Concurrency = ConcurrencyMode.FirstWrite };

    public async Task<Versioned<T>> ReadAsync<T>(string key, CancellationToken cancellationToken)
        where T : class
    {
        var (bytes, etag) = await CallAsync(
            () => dapr.GetByteStateAndETagAsync(Store, key, cancellationToken: cancellationToken), cancellationToken);
        var value = bytes.IsEmpty ? null : JsonSerializer.Deserialize<T>(bytes.Span, Json);
        return new Versioned<T>(key, value, etag ?? "");
    }

    /// <summary>Reads several keys in one call; the answer is in the order of <paramref name="keys"/>.</summary>
    public async Task<IReadOnlyList<Versioned<T>>> ReadManyAsync<T>(
        IReadOnlyList<string> keys, CancellationToken cancellationToken)
        where T : class
    {
        var items = await ReadRawAsync(keys, cancellationToken);
        return keys.Select(key => Decode<T>(key, items)).ToList();
    }

    /// <summary>Reads two documents of different types in one call.</summary>
    public async Task<(Versioned<TFirst> First, Versioned<TSecond> Second)> ReadPairAsync<TFirst, TSecond>(
        string first, string second, CancellationToken cancellationToken)
        where TFirst : class
        where TSecond : class
    {
        var items = await ReadRawAsync([first, second], cancellationToken);
        return (Decode<TFirst>(first, items), Decode<TSecond>(second, items));
    }

    /// <summary>Whether any of <paramref name="keys"/> holds a value.</summary>
    public async Task<bool> AnyExistsAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken) =>
        (await ReadRawAsync(keys, cancellationToken)).Count > 0;

    /// <summary>Raw bytes (a module), or null when the key is absent.</summary>
    public async Task<byte[]?> ReadBytesAsync(string key, CancellationToken cancellationToken)
    {
        var bytes = await CallAsync(
            () => dapr.GetByteStateAsync(Store, key, cancellationToken: cancellationToken), cancellationToken);
        return bytes.IsEmpty ? null : bytes.ToArray();
    }

    /// <summary>
    /// Creates a key unless it exists, in a single-key write. Unlike first-write inside a transaction, which the
    /// Redis component does not enforce, this holds on every store. Returns false when the key exists.
    /// </summary>
    public async Task<bool> TryAddAsync<T>(string key, T value, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            await CallAsync(
                async () =>
                {
                    await dapr.SaveByteStateAsync(
                        Store, key, Serialize(value), FirstWrite, cancellationToken: cancellationToken);
                    return true;
                },
                cancellationToken);
            return true;
        }
        catch (DaprException)
        {
            // Stores report a lost race differently (Aborted, or a script error from Redis); what tells is
            // whether the key is there now.
            if ((await ReadAsync<T>(key, cancellationToken)).Exists)
            {
                return false;
            }

            throw;
        }
    }

    /// <summary>
    /// Reads a shared document, first creating it empty if absent, so that every later write to it carries a
    /// real ETag (which each store checks) rather than first-write (which Redis transactions ignore).
    /// </summary>
    public async Task<Versioned<T>> EnsureAsync<T>(string key, T empty, CancellationToken cancellationToken)
        where T : class
    {
        var read = await ReadAsync<T>(key, cancellationToken);
        if (read.Exists)
        {
            return read;
        }

        await TryAddAsync(key, empty, cancellationToken);
        return await ReadAsync<T>(key, cancellationToken);
    }

    /// <summary><see cref="EnsureAsync"/> for several documents, with one read when they all exist.</summary>
    public async Task<IReadOnlyList<Versioned<T>>> EnsureManyAsync<T>(
        IReadOnlyList<string> keys, T empty, CancellationToken cancellationToken)
        where T : class
    {
        var reads = await ReadManyAsync<T>(keys, cancellationToken);
        if (reads.All(r => r.Exists))
        {
            return reads;
        }

        var ensured = new List<Versioned<T>>(reads.Count);
        foreach (var read in reads)
        {
            ensured.Add(read.Exists ? read : await EnsureAsync(read.Key, empty, cancellationToken));
        }

        return ensured;
    }

    /// <summary>
    /// Applies <paramref name="operations"/> as one transaction. Returns false when another writer got there
    /// first (an ETag or first-write check failed), so the caller reads again and retries.
    /// </summary>
    public async Task<bool> TryCommitAsync(
        IReadOnlyList<StateTransactionRequest> operations, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync(
                async () =>
                {
                    await dapr.ExecuteStateTransactionAsync(Store, operations, cancellationToken: cancellationToken);
                    return true;
                },
                cancellationToken);
            return true;
        }
        catch (DaprException e) when (StatusOf(e) is StatusCode.Aborted or StatusCode.Internal)
        {
            // daprd answers Aborted for a failed check on a single save but Internal for any failed transaction,
            // with the store's own wording. A transaction lost a race exactly when a key it checked has moved.
            if (StatusOf(e) == StatusCode.Aborted || await AnyCheckFailsAsync(operations, cancellationToken))
            {
                return false;
            }

            throw;
        }
    }

    /// <summary>
    /// Runs read-decide-write passes until one ends without a conflict; waits a short random while between
    /// passes, so writers that lost together do not collide again.
    /// </summary>
    /// <exception cref="StateConcurrencyException">Every pass met a conflict.</exception>
    public async Task<T> RetryAsync<T>(
        string operation, Func<Task<Attempt<T>>> attempt, CancellationToken cancellationToken)
    {
        for (var pass = 1; ; pass++)
        {
            var result = await attempt();
            if (!result.Conflict)
            {
                return result.Value;
            }

            if (pass >= MaxAttempts)
            {
                throw new StateConcurrencyException(operation, pass);
            }

            var ceiling = Math.Min(64, 2 << Math.Min(pass, 6));
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, ceiling)), time, cancellationToken);
        }
    }

    /// <summary>An upsert checked by the ETag read, or by first-write when the key was absent.</summary>
    public static StateTransactionRequest Put<T>(string key, T value, string etag) => string.IsNullOrEmpty(etag)
        ? new StateTransactionRequest(key, Serialize(value), StateOperationType.Upsert, options: FirstWrite)
        : new StateTransactionRequest(key, Serialize(value), StateOperationType.Upsert, etag);

    /// <summary>An upsert of <paramref name="read"/>'s key checked by its ETag.</summary>
    public static StateTransactionRequest Put<T>(Versioned<T> read, T value)
        where T : class => Put(read.Key, value, read.ETag);

    /// <summary>Raw bytes, unchecked: the caller's checks on other keys decide whether they may be written.</summary>
    public static StateTransactionRequest PutBytes(string key, byte[] bytes) =>
        new(key, bytes, StateOperationType.Upsert);

    /// <summary>A delete checked by the ETag read.</summary>
    public static StateTransactionRequest Remove<T>(Versioned<T> read)
        where T : class => new(read.Key, null, StateOperationType.Delete, read.ETag);

    /// <summary>A delete, unchecked: see <see cref="PutBytes"/>.</summary>
    public static StateTransactionRequest RemoveBytes(string key) => new(key, null, StateOperationType.Delete);

    private async Task<bool> AnyCheckFailsAsync(
        IReadOnlyList<StateTransactionRequest> operations, CancellationToken cancellationToken)
    {
        var checks = operations
            .Where(o => o.ETag is not null || o.Options?.Concurrency == ConcurrencyMode.FirstWrite)
            .GroupBy(o => o.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().ETag ?? "", StringComparer.Ordinal);
        if (checks.Count == 0)
        {
            return false;
        }

        var now = await ReadRawAsync(checks.Keys.ToList(), cancellationToken);
        return checks.Any(check => (now.TryGetValue(check.Key, out var item) ? item.ETag ?? "" : "") != check.Value);
    }

    private async Task<IReadOnlyDictionary<string, BulkStateItem>> ReadRawAsync(
        IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return new Dictionary<string, BulkStateItem>();
        }

        var items = await CallAsync(
            () => dapr.GetBulkStateAsync(Store, keys, parallelism: null, cancellationToken: cancellationToken),
            cancellationToken);

        // daprd may answer in any order (it fans out per key on stores without a bulk read).
        return items
            .Where(i => !string.IsNullOrEmpty(i.ETag) || !string.IsNullOrEmpty(i.Value))
            .GroupBy(i => i.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
    }

    private static Versioned<T> Decode<T>(string key, IReadOnlyDictionary<string, BulkStateItem> items)
        where T : class => items.TryGetValue(key, out var item) && !string.IsNullOrEmpty(item.Value)
            ? new Versioned<T>(key, JsonSerializer.Deserialize<T>(item.Value, Json), item.ETag ?? "")
            : new Versioned<T>(key, null, "");

    private static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Json);

    private static async Task<T> CallAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is not OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The state store call was cancelled.", e, cancellationToken);
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            throw new DependencyUnavailableException(Dependency, e);
        }
        catch (Exception e) when (StatusOf(e) == StatusCode.ResourceExhausted)
        {
            throw new InvalidOperationException(
                "A state store message was over a gRPC size limit: the client's (Dapr:MaxGrpcMessageBytes) or "
                + "the sidecar's (--max-body-size). Nothing was cut short; raise both above the largest module.",
                e);
        }
    }

    private static bool IsUnavailable(Exception e) =>
        StatusOf(e) is StatusCode.Unavailable or StatusCode.DeadlineExceeded
        || e is HttpRequestException
        || e.InnerException is HttpRequestException;

    private static StatusCode? StatusOf(Exception e) => e switch
    {
        RpcException rpc => rpc.StatusCode,
        { InnerException: RpcException rpc } => rpc.StatusCode,
        _ => null,
    };
}
