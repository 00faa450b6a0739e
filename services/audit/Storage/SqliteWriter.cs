using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace WasmWizard.Audit.Storage;

/// <summary>
/// The single writer of one SQLite file in this process. Writes queue here instead of meeting at the file's lock,
/// where SQLite's busy handler puts every loser to sleep for milliseconds at a time (blocking a thread-pool thread)
/// and wakes them in no order. Whoever holds the gate commits everything queued by then in one transaction (group
/// commit): each caller still returns only once its own write is durable, but a burst of writes shares one commit.
/// </summary>
/// <remarks>
/// One per file, shared by every store that writes it (the embedded host keeps its own tables and the audit trail
/// in one file). The transaction is <c>BEGIN IMMEDIATE</c> and the busy timeout stays, so another process on the
/// same file is still waited for. Each write in a batch runs inside a savepoint: one that throws is undone alone
/// and its caller gets the exception, while the others commit. Durability is the connection's default
/// (<c>synchronous = FULL</c>): nothing is acknowledged before its commit is on disk.
/// </remarks>
public sealed class SqliteWriter
{
    // Enough to absorb a burst of every client at once; small enough that one batch holds the lock briefly.
    private const int MaxBatch = 256;
    private const string Savepoint = "write";

    // Both users of a shared file want these: foreign keys for the embedded tables, overwritten deletes for removed
    // modules and expired audit events.
    private const string ForEveryone = "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA secure_delete = ON;";

    // A batch of several writes runs each in a savepoint, which copies every page the write changes into a statement
    // journal. Past 64 KiB SQLite spills that journal into a temporary file, one pwrite per page, inside the commit
    // the whole queue waits for, and the file keeps growing until the batch commits (twice the pwrites per request
    // at 32 clients). In memory a write's copies are dropped when its savepoint is released. Only here: in a store's
    // own transaction (a module's deletion overwrites its whole blob) the journal could take megabytes of memory.
    private const string ForBatches = ForEveryone + " PRAGMA temp_store = MEMORY;";

    private static readonly ConcurrentDictionary<string, SqliteWriter> Writers = new(StringComparer.Ordinal);

    // Native connections that already have their settings. A pooled connection keeps its native handle, and the
    // handle keeps its settings: setting them again on every open prepared three statements per query, a measurable
    // share of a request's CPU under load. A handle the pool drops is forgotten with it.
    private static readonly ConditionalWeakTable<SQLitePCL.sqlite3, object> Configured = new();

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentQueue<QueuedWrite> _queue = new();
    private readonly string _connectionString;
    private readonly string _batchConnectionString;

    private SqliteWriter(string path)
    {
        Path = path;
        var settings = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        };
        _connectionString = settings.ToString();
        // The same settings spelled out differently: a pool of its own for the batches' connections, so that what
        // only they set (ForBatches) never reaches a connection Open hands out.
        settings.Cache = SqliteCacheMode.Default;
        _batchConnectionString = settings.ToString();
    }

    /// <summary>The file written.</summary>
    public string Path { get; }

    /// <summary>The writer of <paramref name="path"/> (one per file, whatever the spelling of its path).</summary>
    public static SqliteWriter For(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Writers.GetOrAdd(System.IO.Path.GetFullPath(path), p => new SqliteWriter(p));
    }

    /// <summary>
    /// Runs <paramref name="write"/> in a write transaction, possibly shared with other queued writes, and returns
    /// its result once that transaction has committed. <paramref name="write"/> must give every command it creates
    /// the transaction, and must not wait for this writer itself.
    /// </summary>
    public async Task<T> WriteAsync<T>(
        Func<SqliteConnection, SqliteTransaction, T> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        var queued = new QueuedWrite<T>(write);
        _queue.Enqueue(queued);
        try
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (queued.TryCancel())
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            // Another holder of the gate has already taken it: what it wrote stands, so the caller learns the outcome.
            return await queued.Task.ConfigureAwait(false);
        }

        try
        {
            // Nothing but a holder of the gate takes from the queue, so unless done, this write is still in it.
            while (!queued.Task.IsCompleted)
            {
                CommitQueued();
            }
        }
        finally
        {
            _gate.Release();
        }

        return await queued.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// Holds the gate for work that keeps its own connection and transaction (schema changes at startup), so that it
    /// neither collides with queued writes nor sleeps in the busy handler. Dispose to let the queue go on.
    /// </summary>
    public IDisposable Enter()
    {
        _gate.Wait();
        return new Held(_gate);
    }

    /// <summary>
    /// <see cref="Enter"/> without blocking a thread while queued writes commit first, for a store's own write
    /// transaction (several statements and reads between them). The holder must not write through
    /// <see cref="WriteAsync{T}"/> before disposing.
    /// </summary>
    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Held(_gate);
    }

    /// <summary>
    /// Opens a connection to the file, with the settings every user of it wants, for reads and for work that holds
    /// the gate (<see cref="Enter"/>). Writes go through <see cref="WriteAsync{T}"/>.
    /// </summary>
    public SqliteConnection Open() => Open(_connectionString, ForEveryone);

    private static SqliteConnection Open(string connectionString, string pragmas)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            var handle = connection.Handle!;
            if (!Configured.TryGetValue(handle, out _))
            {
                using var settings = connection.CreateCommand();
                settings.CommandText = pragmas;
                settings.ExecuteNonQuery();
                Configured.AddOrUpdate(handle, Configured);
            }

            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private void CommitQueued()
    {
        var batch = new List<QueuedWrite>();
        while (batch.Count < MaxBatch && _queue.TryDequeue(out var next))
        {
            if (next.TryTake())
            {
                batch.Add(next);
            }
        }

        if (batch.Count == 0)
        {
            return;
        }

        try
        {
            using var connection = Open(_batchConnectionString, ForBatches);
            using var transaction = connection.BeginTransaction(deferred: false);
            if (batch.Count == 1)
            {
                // Alone in the transaction: a failure rolls all of it back, no savepoint needed.
                if (!batch[0].Run(connection, transaction))
                {
                    transaction.Rollback();
                    return;
                }
            }
            else
            {
                foreach (var queued in batch)
                {
                    transaction.Save(Savepoint);
                    if (!queued.Run(connection, transaction))
                    {
                        transaction.Rollback(Savepoint);
                    }

                    transaction.Release(Savepoint);
                }
            }

            transaction.Commit();
        }
        catch (Exception e)
        {
            // The transaction itself failed (disk full, I/O error, a lock another process held too long): nothing
            // in it was committed, so every write not already failed fails with this.
            foreach (var queued in batch)
            {
                queued.Fail(e);
            }

            return;
        }

        foreach (var queued in batch)
        {
            queued.Complete();
        }
    }

    private abstract class QueuedWrite
    {
        private const int Waiting = 0;
        private const int Taken = 1;
        private const int Cancelled = 2;

        private int _state;

        /// <summary>Claims it for a batch; false when its caller gave up first.</summary>
        public bool TryTake() => Interlocked.CompareExchange(ref _state, Taken, Waiting) == Waiting;

        /// <summary>Withdraws it; false when a batch already took it.</summary>
        public bool TryCancel() => Interlocked.CompareExchange(ref _state, Cancelled, Waiting) == Waiting;

        /// <summary>Runs the write; false (and its caller told) when it threw.</summary>
        public abstract bool Run(SqliteConnection connection, SqliteTransaction transaction);

        /// <summary>The transaction committed: hands over the result.</summary>
        public abstract void Complete();

        /// <summary>The transaction failed: hands over <paramref name="exception"/> unless already failed.</summary>
        public abstract void Fail(Exception exception);
    }

    private sealed class QueuedWrite<T>(Func<SqliteConnection, SqliteTransaction, T> write) : QueuedWrite
    {
        // Asynchronous continuations: a caller's code must not run on the gate holder's thread while it commits.
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;

        public Task<T> Task => _done.Task;

        public override bool Run(SqliteConnection connection, SqliteTransaction transaction)
        {
            try
            {
                _result = write(connection, transaction);
                return true;
            }
            catch (Exception e)
            {
                _done.TrySetException(e);
                return false;
            }
        }

        public override void Complete() => _done.TrySetResult(_result!);

        public override void Fail(Exception exception) => _done.TrySetException(exception);
    }

    private sealed class Held(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
