using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;
using WasmWizard.Standalone.Storage;

namespace WasmWizard.Standalone.Events;

/// <summary>
/// Events the embedded host has published and not yet handed to every handler, kept in its SQLite file so that a
/// handler that fails (an audit store that is down) or a restart loses none of them.
/// </summary>
/// <remarks>
/// An entry a publisher is delivering itself is <em>claimed</em> (in memory, from inside the transaction that
/// writes it until its removal has committed): the drainer passes it by and it does not count as waiting. A claim
/// does not outlive the process, so after a crash every entry left is delivered again; handlers are idempotent on
/// the event id, so an event whose handler already took it is not kept twice.
/// </remarks>
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
    private readonly ConcurrentDictionary<long, Claim> _claimed = new();
    private bool _schemaReady;

    /// <summary>Keeps the outbox in <paramref name="database"/>.</summary>
    public SqliteEventOutbox(SqliteDatabase database, TimeProvider time)
    {
        _database = database;
        _time = time;
    }

    /// <summary>Keeps an event (already serialized) for <paramref name="topic"/>; returns its place in the outbox.</summary>
    public Task<long> EnqueueAsync(string topic, string payload, CancellationToken cancellationToken) =>
        EnqueueAsync(topic, payload, claim: false, cancellationToken);

    /// <summary>
    /// Keeps an event (already serialized) for <paramref name="topic"/>, claimed when <paramref name="claim"/> says
    /// its publisher delivers it (see <see cref="ForgetAsync"/> and <see cref="Release"/>); returns its place.
    /// </summary>
    public async Task<long> EnqueueAsync(string topic, string payload, bool claim, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        var now = Stamp(_time.GetUtcNow());
        Claim? taken = null;
        long takenSeq = 0;
        try
        {
            return await WriteEntryAsync().ConfigureAwait(false);
        }
        catch (Exception) when (taken is not null)
        {
            // The claim was taken before a commit that then failed. The entry never existed and SQLite hands its seq
            // out again, so a claim left behind would hide the next event under that seq from the drainer. Only this
            // claim goes: a later enqueue may already have claimed the reused seq.
            _claimed.TryRemove(KeyValuePair.Create(takenSeq, taken));
            throw;
        }

        Task<long> WriteEntryAsync() => _database.WriteAsync((connection, transaction) =>
        {
            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO event_outbox (topic, payload, enqueued_at, next_attempt_at)
                VALUES ($topic, $payload, $now, $now)
                RETURNING seq
                """;
            insert.Parameters.AddWithValue("$topic", topic);
            insert.Parameters.AddWithValue("$payload", payload);
            insert.Parameters.AddWithValue("$now", now);
            var seq = (long)insert.ExecuteScalar()!;
            if (claim)
            {
                // Before the commit, so no pass of the drainer can see the entry unclaimed.
                taken = new Claim(topic);
                takenSeq = seq;
                _claimed[seq] = taken;
            }

            return seq;
        }, cancellationToken);
    }

    /// <summary>
    /// Removes an entry its publisher has delivered, then lets go of its claim. A failure to remove only means the
    /// drainer delivers it once more.
    /// </summary>
    public async Task ForgetAsync(long seq, CancellationToken cancellationToken)
    {
        try
        {
            await RemoveAsync(seq, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Release(seq);
        }
    }

    /// <summary>Lets go of the claim on an entry its publisher could not deliver: the drainer takes it over.</summary>
    public void Release(long seq) => _claimed.TryRemove(seq, out _);

    /// <summary>Whether a publisher is delivering the entry itself.</summary>
    public bool IsClaimed(long seq) => _claimed.ContainsKey(seq);

    /// <summary>The oldest <paramref name="limit"/> waiting events, oldest first, with when each may be tried again.</summary>
    public Task<IReadOnlyList<OutboxEntry>> OldestAsync(int limit, CancellationToken cancellationToken) =>
        OldestAsync(limit, after: 0, cancellationToken);

    /// <summary>
    /// The oldest <paramref name="limit"/> entries after <paramref name="after"/>, oldest first, claimed ones
    /// included (the caller passes them by).
    /// </summary>
    public async Task<IReadOnlyList<OutboxEntry>> OldestAsync(
        int limit, long after, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var query = connection.CreateCommand();
        query.CommandText = """
            SELECT seq, topic, payload, attempts, next_attempt_at FROM event_outbox WHERE seq > $after
            ORDER BY seq LIMIT $limit
            """;
        query.Parameters.AddWithValue("$after", after);
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
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await _database.WriteAsync((connection, transaction) =>
        {
            using var delete = connection.CreateCommand();
            delete.Transaction = transaction;
            delete.CommandText = "DELETE FROM event_outbox WHERE seq = $seq";
            delete.Parameters.AddWithValue("$seq", seq);
            return delete.ExecuteNonQuery();
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Puts an event back for another attempt after <paramref name="delay"/>.</summary>
    public async Task PostponeAsync(long seq, TimeSpan delay, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        var at = Stamp(_time.GetUtcNow() + delay);
        await _database.WriteAsync((connection, transaction) =>
        {
            using var update = connection.CreateCommand();
            update.Transaction = transaction;
            update.CommandText = "UPDATE event_outbox SET attempts = attempts + 1, next_attempt_at = $at WHERE seq = $seq";
            update.Parameters.AddWithValue("$at", at);
            update.Parameters.AddWithValue("$seq", seq);
            return update.ExecuteNonQuery();
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>How many events wait for the drainer (for readiness and tests); claimed ones are not waiting.</summary>
    public async Task<long> CountAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM event_outbox";
        var rows = (long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        return Math.Max(0, rows - _claimed.Count);
    }

    /// <summary>How many events for <paramref name="topic"/> wait for the drainer (for the backlog gauge).</summary>
    public async Task<long> CountAsync(string topic, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM event_outbox WHERE topic = $topic";
        count.Parameters.AddWithValue("$topic", topic);
        var rows = (long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        // A claim taken while the count ran may have no row in it yet: never below zero.
        return Math.Max(0, rows - _claimed.Values.Count(c => c.Topic == topic));
    }

    // Fixed-width UTC text sorts as time does, which the due query relies on.
    private static string Stamp(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        return await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        if (_schemaReady)
        {
            return;
        }

        await _created.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_schemaReady)
            {
                await _database.WriteAsync((connection, transaction) =>
                {
                    using var create = connection.CreateCommand();
                    create.Transaction = transaction;
                    create.CommandText = Schema;
                    return create.ExecuteNonQuery();
                }, cancellationToken).ConfigureAwait(false);
                _schemaReady = true;
            }
        }
        finally
        {
            _created.Release();
        }
    }

    // A class, compared by reference: a failed enqueue withdraws its own claim and never a later one on the same seq.
    private sealed class Claim(string topic)
    {
        public string Topic => topic;
    }
}

/// <summary>One waiting event.</summary>
public sealed record OutboxEntry(long Seq, string Topic, string Payload, int Attempts)
{
    /// <summary>When it may be tried again.</summary>
    public DateTimeOffset NextAttemptAt { get; init; }
}
