using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using WasmWizard.Shared.Dapr;
using WasmWizard.Standalone.Events;
using WasmWizard.Standalone.Storage;

namespace WasmWizard.Api.Tests.Integration;

/// <summary>
/// The embedded outbox when a commit it shares with other writes fails: nothing of the failed commit may linger,
/// so a later event is counted as waiting and left to the drainer, not mistaken for one a publisher is delivering.
/// </summary>
public sealed class SqliteEventOutboxTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ww-outbox-").FullName;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EnqueueAsync_SharedCommitFailsAfterAClaim_NextEventStillWaitsForTheDrainer()
    {
        // Arrange: a table whose foreign key is checked only at COMMIT, so a write queued beside the claimed enqueue
        // makes their shared commit fail after both writes ran (as a full disk or an I/O error at commit would).
        var database = new SqliteDatabase(Options.Create(new StorageOptions { DataDirectory = _directory }));
        var outbox = new SqliteEventOutbox(database, TimeProvider.System);
        Assert.Equal(0, await outbox.CountAsync(Token));
        await database.ExecuteAsync(
            c => c.CommandText = """
                CREATE TABLE parents (id INTEGER PRIMARY KEY);
                CREATE TABLE children (parent INTEGER REFERENCES parents(id) DEFERRABLE INITIALLY DEFERRED);
                """,
            Token);
        Task<long> claimed;
        Task<int> orphan;
        using (await database.EnterWriteAsync(Token))
        {
            claimed = outbox.EnqueueAsync(DaprNames.AuditTopic, "{}", claim: true, Token);
            orphan = database.ExecuteAsync(c => c.CommandText = "INSERT INTO children (parent) VALUES (42)", Token);
        }

        await Assert.ThrowsAsync<SqliteException>(() => claimed);
        await Assert.ThrowsAsync<SqliteException>(() => orphan);

        // Act: the next event is left to the drainer (its publisher saw handlers failing).
        var seq = await outbox.EnqueueAsync(DaprNames.AuditTopic, "{}", claim: false, Token);

        // Assert
        Assert.False(outbox.IsClaimed(seq));
        Assert.Equal(1, await outbox.CountAsync(Token));
        Assert.Equal(1, await outbox.CountAsync(DaprNames.AuditTopic, Token));
    }

    public void Dispose()
    {
        // Pooled connections keep the file open; the folder can only go once they are closed.
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
