using Microsoft.Data.Sqlite;
using WasmWizard.Audit.Storage;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Audit.Tests.Sqlite;

/// <summary>
/// The embedded database's schema version 3 created an unchained <c>audit_events</c> table in the same file; the
/// store moves its events into the chained trail once.
/// </summary>
public sealed class LegacyTableTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ww-audit-legacy-").FullName;

    private string DatabasePath => Path.Combine(_directory, "wasmwizard.db");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Open_FileWithTheLegacyTable_EventsChainedOldestFirstAndTableDropped()
    {
        var user = Guid.NewGuid();
        var key = Guid.NewGuid();
        var older = Guid.NewGuid();
        var newer = Guid.NewGuid();
        var anonymous = Guid.NewGuid();
        Execute("""
            CREATE TABLE audit_events (
                id TEXT PRIMARY KEY, type TEXT NOT NULL, occurred_at TEXT NOT NULL, actor_user_id TEXT NULL,
                actor_key_id TEXT NULL, actor_key_prefix TEXT NULL, subject_user_id TEXT NULL, subject_key_id TEXT NULL,
                client_address TEXT NULL, request_id TEXT NULL, details TEXT NOT NULL);
            INSERT INTO audit_events VALUES ($newer, 'key.created', '2026-03-02T10:00:00.1234567Z', $user, $key, 'ww_ab',
                NULL, $key, '10.0.0.1', 'r2', '{"name":"ci"}');
            INSERT INTO audit_events VALUES ($older, 'user.created', '2026-03-01T10:00:00.0000000Z', NULL, NULL, NULL,
                $user, NULL, NULL, 'r1', '{"tier":"free"}');
            INSERT INTO audit_events VALUES ($anonymous, 'auth.failed', '2026-03-03T10:00:00.0000000Z', NULL, NULL, NULL,
                NULL, NULL, '10.0.0.9', NULL, '{}');
            """,
            ("$user", user.ToString()), ("$key", key.ToString()), ("$older", older.ToString()), ("$newer", newer.ToString()),
            ("$anonymous", anonymous.ToString()));

        var store = new SqliteAuditEventStore(DatabasePath);

        var listed = await store.ListAsync(10, Token);
        Assert.Equal([anonymous, newer, older], listed.Select(e => e.Id));
        var moved = listed[1];
        Assert.Equal(
            (AuditEventTypes.KeyCreated, user, key, "ww_ab", key, "10.0.0.1", "r2", "ci"),
            (moved.Type, moved.ActorUserId, moved.ActorKeyId, moved.ActorKeyPrefix, moved.SubjectKeyId, moved.ClientAddress,
                moved.RequestId, moved.Details["name"]));
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero).AddTicks(1_234_560), moved.OccurredAt);
        // The tenant follows AuditEvent.TenantId's rule: the subject user, else the actor.
        Assert.Equal([null, user, user], listed.Select(e => e.TenantId));
        var report = await store.VerifyAsync(AuditChainScope.All, Token);
        Assert.Equal((true, 3L, 2), (report.Intact, report.EventsChecked, report.ChainsChecked));
        Assert.Equal(0L, Scalar("SELECT count(*) FROM sqlite_master WHERE name = 'audit_events'"));
        Assert.False(await new SqliteAuditEventStore(DatabasePath).AppendAsync(listed[0], Token));
    }

    [Fact]
    public async Task Open_FileOfAnotherSchema_OtherTablesUntouched()
    {
        Execute("CREATE TABLE users (id TEXT PRIMARY KEY); INSERT INTO users VALUES ('u1'); PRAGMA user_version = 3;");

        var store = new SqliteAuditEventStore(DatabasePath);
        await store.AppendAsync(Infrastructure.Events.New(null), Token);

        Assert.Equal(1L, Scalar("SELECT count(*) FROM users"));
        Assert.Equal(3L, Scalar("PRAGMA user_version"));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private void Execute(string sql, params (string Name, string Value)[] parameters)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.ExecuteNonQuery();
    }

    private long Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }
}
