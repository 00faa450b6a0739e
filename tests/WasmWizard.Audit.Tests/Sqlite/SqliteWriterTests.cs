using Microsoft.Data.Sqlite;
using WasmWizard.Audit.Storage;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Audit.Tests.Sqlite;

/// <summary>
/// The single writer of a SQLite file: writes queued together commit together, a write that fails is undone alone,
/// a write given up before its turn never happens, and appends from many callers and two stores on one file keep
/// every chain intact with each event once.
/// </summary>
public sealed class SqliteWriterTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ww-writer-").FullName;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private string DatabasePath => Path.Combine(_directory, "writer.db");

    [Fact]
    public async Task WriteAsync_OneWriteFailsInASharedCommit_OnlyItIsUndone()
    {
        // Arrange: the gate is held, so all three writes queue and the next holder commits them together.
        var writer = await CreateTableAsync();
        Task<int> first, failing, last;
        using (writer.Enter())
        {
            first = writer.WriteAsync((c, tx) => Insert(c, tx, "first"), Token);
            failing = writer.WriteAsync<int>((c, tx) =>
            {
                Insert(c, tx, "failing");
                throw new InvalidOperationException("refused after writing");
            }, Token);
            last = writer.WriteAsync((c, tx) => Insert(c, tx, "last"), Token);
        }

        // Act
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => failing);
        await Task.WhenAll(first, last);

        // Assert
        Assert.Equal("refused after writing", error.Message);
        Assert.Equal(["first", "last"], await NamesAsync());
    }

    [Fact]
    public async Task WriteAsync_CancelledWhileQueued_NeverWrites()
    {
        // Arrange
        var writer = await CreateTableAsync();
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(Token);
        Task<int> abandoned;
        using (writer.Enter())
        {
            abandoned = writer.WriteAsync((c, tx) => Insert(c, tx, "abandoned"), giveUp.Token);

            // Act
            await giveUp.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        }

        await writer.WriteAsync((c, tx) => Insert(c, tx, "later"), Token);

        // Assert
        Assert.Equal(["later"], await NamesAsync());
    }

    [Fact]
    public async Task AppendAsync_ManyCallersTwoStoresOneFile_EveryChainIntactEachEventOnce()
    {
        // Arrange: two stores on one file (as the embedded host and a replica would be), four tenants, and every
        // event delivered twice, once through each store.
        var one = new SqliteAuditEventStore(DatabasePath);
        var other = new SqliteAuditEventStore(DatabasePath);
        var tenants = Enumerable.Range(0, 4).Select(_ => Guid.NewGuid()).ToArray();
        var events = Enumerable.Range(0, 120).Select(i => Event(tenants[i % tenants.Length])).ToList();

        // Act
        var added = await Task.WhenAll(events.SelectMany(e => new[]
        {
            Task.Run(() => one.AppendAsync(e, Token), Token),
            Task.Run(() => other.AppendAsync(e, Token), Token),
        }));

        // Assert
        Assert.Equal(events.Count, added.Count(a => a));
        var kept = await one.ListAsync(1000, Token);
        Assert.Equal(events.Select(e => e.Id).Order(), kept.Select(e => e.Id).Order());
        var report = await other.VerifyAsync(AuditChainScope.All, Token);
        Assert.True(report.Intact);
        Assert.Equal(tenants.Length, report.ChainsChecked);
        Assert.Equal(events.Count, report.EventsChecked);
    }

    [Fact]
    public async Task Open_WalFile_CommitWaitsForTheDisk()
    {
        // Arrange: the trail switches its file to WAL, where SQLite builds may default to synchronous = NORMAL, which
        // acknowledges a commit before it is on disk (a power cut can take it back).
        _ = new SqliteAuditEventStore(DatabasePath);
        var writer = SqliteWriter.For(DatabasePath);

        // Act
        var (journal, synchronous) = await writer.WriteAsync((connection, transaction) =>
        {
            using var pragma = connection.CreateCommand();
            pragma.Transaction = transaction;
            pragma.CommandText = "PRAGMA journal_mode";
            var mode = (string)pragma.ExecuteScalar()!;
            pragma.CommandText = "PRAGMA synchronous";
            return (mode, (long)pragma.ExecuteScalar()!);
        }, Token);

        // Assert: 2 is FULL, the WAL is synced at every commit; 3 (EXTRA) would do too.
        Assert.Equal("wal", journal);
        Assert.True(
            synchronous >= 2, $"PRAGMA synchronous is {synchronous}: a commit is acknowledged before it is synced");
    }

    [Fact]
    public void Open_ReusedAndFreshConnections_AllCarryTheFileSettings()
    {
        // Arrange: the second open reuses the first one's native connection from the pool; the third, after the pool
        // is emptied, gets a new one.
        var writer = SqliteWriter.For(DatabasePath);
        object reused;
        using (var first = writer.Open())
        {
            reused = first.Handle!;
        }

        // Act
        using var second = writer.Open();
        var secondSettings = Settings(second);
        var pooled = ReferenceEquals(reused, second.Handle);
        second.Close();
        SqliteConnection.ClearAllPools();
        using var fresh = writer.Open();

        // Assert
        Assert.True(pooled, "the second open did not reuse the pooled connection");
        Assert.Equal((1L, 5000L, 1L, 0L), secondSettings);
        Assert.False(ReferenceEquals(reused, fresh.Handle));
        Assert.Equal((1L, 5000L, 1L, 0L), Settings(fresh));
    }

    [Fact]
    public async Task WriteAsync_Batches_KeepSavepointJournalsInMemoryWhereOpenDoesNot()
    {
        // Arrange: a batch of two, so each write runs in a savepoint; its connection then goes back to a pool.
        var writer = await CreateTableAsync();
        Task<(long, long, long, long)> first, second;
        using (writer.Enter())
        {
            first = writer.WriteAsync((c, tx) => SettingsWithin(c, tx), Token);
            second = writer.WriteAsync((c, tx) => SettingsWithin(c, tx), Token);
        }

        // Act
        var inBatch = await first;
        await second;
        using var opened = writer.Open();

        // Assert: temp_store 2 is MEMORY, 0 the build's default (a file). A batch's connection never spills its
        // savepoints' journal into a temporary file; a connection from Open, whose user may change megabytes in one
        // transaction, is never given the batches' setting, even when it is opened right after one.
        Assert.Equal((1L, 5000L, 1L, 2L), inBatch);
        Assert.Equal((1L, 5000L, 1L, 0L), Settings(opened));
    }

    public void Dispose()
    {
        // Pooled connections keep the file open; the folder can only go once they are closed.
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private static AuditEvent Event(Guid tenant) => new(
        Guid.CreateVersion7(), AuditEventTypes.ExecutionCompleted, DateTimeOffset.UtcNow, tenant, null, null, null,
        null, null, null, new Dictionary<string, string> { ["outcome"] = "exited" })
    {
        TenantId = tenant,
        Subject = "execution:" + Guid.CreateVersion7(),
    };

    private static (long ForeignKeys, long BusyTimeout, long SecureDelete, long TempStore) Settings(
        SqliteConnection connection) => SettingsWithin(connection, null);

    private static (long ForeignKeys, long BusyTimeout, long SecureDelete, long TempStore) SettingsWithin(
        SqliteConnection connection, SqliteTransaction? transaction)
    {
        long Read(string pragma)
        {
            using var query = connection.CreateCommand();
            query.Transaction = transaction;
            query.CommandText = "PRAGMA " + pragma;
            return (long)query.ExecuteScalar()!;
        }

        return (Read("foreign_keys"), Read("busy_timeout"), Read("secure_delete"), Read("temp_store"));
    }

    private static int Insert(SqliteConnection connection, SqliteTransaction transaction, string name)
    {
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO names (name) VALUES ($name)";
        insert.Parameters.AddWithValue("$name", name);
        return insert.ExecuteNonQuery();
    }

    private async Task<SqliteWriter> CreateTableAsync()
    {
        var writer = SqliteWriter.For(DatabasePath);
        await writer.WriteAsync((c, tx) =>
        {
            using var create = c.CreateCommand();
            create.Transaction = tx;
            create.CommandText = "CREATE TABLE names (seq INTEGER PRIMARY KEY, name TEXT NOT NULL)";
            return create.ExecuteNonQuery();
        }, Token);
        return writer;
    }

    private async Task<List<string>> NamesAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath}");
        await connection.OpenAsync(Token);
        await using var query = connection.CreateCommand();
        query.CommandText = "SELECT name FROM names ORDER BY seq";
        await using var reader = await query.ExecuteReaderAsync(Token);
        var names = new List<string>();
        while (await reader.ReadAsync(Token))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }
}
