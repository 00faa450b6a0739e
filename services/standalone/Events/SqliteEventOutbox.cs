using System.Globalization;
using Microsoft.Data.Sqlite;
using WasmWizard.Standalone.Storage;

namespace WasmWizard.Standalone.Events;

/// <summary>
/// Events the embedded host has published and not yet handed to every handler, kept in its SQLite file so that a
/// handler that fails (an audit store that is down) or a restart loses none of them.
/// </summary>
public sealed class SqliteEventOutbox
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS event_outbox (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            topic TEXT NOT NULL,
            payload TEXT NOT NULL,
            enqueued_at TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS event_outbox_due ON event_outbox(next_attempt_at, seq);
        """;

    private readonly SqliteDatabase _database;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _created = new(1, 1);
    private bool _schemaReady;

    /// <summary>Keeps the outbox in <paramref name="database"/>.</summary>
    public SqliteEventOutbox(SqliteDatabase database, TimeProvider time)
    {
        _database = database;
        _time = time;
    }

    /// <summary>Keeps an event (already serialized) for <paramref name="topic"/>; returns its place in the outbox.</summary>
    public async Task<long> EnqueueAsync(string topic, string payload, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var insert = connection.CreateCommand();
        insert.CommandText = """
            INSERT INTO event_outbox (topic, payload, enqueued_at, next_attempt_at) VALUES ($topic, $payload, $now, $now)
            RETURNING seq
            """;
        insert.Parameters.AddWithValue("$topic", topic);
        insert.Parameters.AddWithValue("$payload", payload);
        insert.Parameters.AddWithValue("$now", Stamp(_time.GetUtcNow()));
        return (long)(await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>The oldest <paramref name="limit"/> waiting events, oldest first, with when each may be tried again.</summary>
    public async Task<IReadOnlyList<OutboxEntry>> OldestAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var query = connection.CreateCommand();
        query.CommandText = """
            SELECT seq, topic, payload, attempts, next_attempt_at FROM event_outbox ORDER BY seq LIMIT $limit
            """;
        query.Parameters.AddWithValue("$limit", limit);
        await using var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var entries = new List<OutboxEntry>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            entries.Add(new OutboxEntry(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3))
            {
                NextAttemptAt = DateTimeOffset.Parse(reader.GetString(4), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal),
            });
        }

        return entries;
    }

    /// <summary>Forgets an event every handler has taken.</summary>
    public async Task RemoveAsync(long seq, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var delete = connection.CreateCommand();
        delete.CommandText = "DELETE FROM event_outbox WHERE seq = $seq";
        delete.Parameters.AddWithValue("$seq", seq);
        await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Puts an event back for another attempt after <paramref name="delay"/>.</summary>
    public async Task PostponeAsync(long seq, TimeSpan delay, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var update = connection.CreateCommand();
        update.CommandText = "UPDATE event_outbox SET attempts = attempts + 1, next_attempt_at = $at WHERE seq = $seq";
        update.Parameters.AddWithValue("$at", Stamp(_time.GetUtcNow() + delay));
        update.Parameters.AddWithValue("$seq", seq);
        await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>How many events wait (for readiness and tests).</summary>
    public async Task<long> CountAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM event_outbox";
        return (long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>How many events for <paramref name="topic"/> wait (for the backlog gauge).</summary>
    public async Task<long> CountAsync(string topic, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM event_outbox WHERE topic = $topic";
        count.Parameters.AddWithValue("$topic", topic);
        return (long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    // Fixed-width UTC text sorts as time does, which the due query relies on.
    private static string Stamp(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (_schemaReady)
        {
            return connection;
        }

        await _created.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_schemaReady)
            {
                await using var create = connection.CreateCommand();
                create.CommandText = Schema;
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                _schemaReady = true;
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            _created.Release();
        }
    }
}

/// <summary>One waiting event.</summary>
public sealed record OutboxEntry(long Seq, string Topic, string Payload, int Attempts)
{
    /// <summary>When it may be tried again.</summary>
    public DateTimeOffset NextAttemptAt { get; init; }
}
