using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.IO;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Audit.Storage;

/// <summary>
/// The audit trail in a SQLite file: one row per event id, chained per tenant, removed only by retention. The
/// embedded host points it at its own database; the audit service, without PostgreSQL, at a file of its own.
/// </summary>
/// <remarks>
/// Every write goes through the file's <see cref="SqliteWriter"/>: the chain's read-modify-write runs inside its
/// <c>BEGIN IMMEDIATE</c> transaction, which takes the file's write lock first and thereby serializes every append,
/// and appends that arrive together share one commit. Appends in one commit run one after another, in the order
/// they were queued, each reading the head the previous one wrote.
/// </remarks>
public sealed class SqliteAuditEventStore : IAuditEventStore
{
    private const string EventColumns = """
        seq, id, type, occurred_at, actor_user_id, actor_key_id, actor_key_prefix, subject_user_id, subject_key_id,
        client_address, request_id, details, tenant_id, actor, subject, source, trace_id
        """;

    private readonly SqliteWriter _writer;
    private readonly AuditCursor _cursor;

    /// <summary>Opens (creating when missing, owner-only) the trail in <paramref name="path"/>.</summary>
    public SqliteAuditEventStore(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        path = System.IO.Path.GetFullPath(path);
        PrivateFile.EnsureExists(path);
        Path = path;
        _writer = SqliteWriter.For(path);
        using var held = _writer.Enter();
        using var connection = Open();
        using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            wal.ExecuteNonQuery();
        }

        _cursor = new AuditCursor(SqliteAuditSchema.Create(connection, (tx, e) => Append(connection, tx, e)));
    }

    /// <summary>The trail's file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public Task<bool> AppendAsync(AuditEvent @event, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(@event);
        ArgumentException.ThrowIfNullOrEmpty(@event.Type, nameof(@event));
        return _writer.WriteAsync((connection, transaction) => Append(connection, transaction, @event), cancellationToken);
    }

    /// <summary>
    /// Appends <paramref name="event"/> inside a write transaction of the trail's own file that the caller holds
    /// (one of its <see cref="SqliteWriter"/>), so that the event commits together with the caller's own rows.
    /// False when the event id is already kept.
    /// </summary>
    public bool AppendWithin(SqliteConnection connection, SqliteTransaction transaction, AuditEvent @event)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(@event);
        ArgumentException.ThrowIfNullOrEmpty(@event.Type, nameof(@event));
        return Append(connection, transaction, @event);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<AuditEvent>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var connection = Open();
        await using var query = connection.CreateCommand();
        query.CommandText = $"SELECT {EventColumns} FROM audit_log ORDER BY seq DESC LIMIT $limit";
        query.Parameters.AddWithValue("$limit", limit);
        return (await ReadEventsAsync(query, cancellationToken).ConfigureAwait(false)).ConvertAll(e => e.Event);
    }

    /// <inheritdoc />
    public async Task<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        AuditQueryRules.Validate(query);
        var before = query.Cursor is null ? (long?)null : _cursor.Decode(query.Cursor);
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        // Only fixed fragments join the text; every value is a parameter.
        var where = new StringBuilder("WHERE 1 = 1");
        Filter(command, where, "seq < $before", "$before", before);
        Filter(command, where, "chain = $chain", "$chain", query.TenantId is { } t ? Key(t) : null);
        Filter(command, where, "type = $type", "$type", query.Type);
        Filter(command, where, "actor = $actor", "$actor", query.Actor);
        Filter(command, where, "subject = $subject", "$subject", query.Subject);
        Filter(command, where, "occurred_at >= $from", "$from", AuditQueryRules.FromMicroseconds(query));
        Filter(command, where, "occurred_at < $to", "$to", AuditQueryRules.ToMicroseconds(query));
        command.CommandText = $"SELECT {EventColumns} FROM audit_log {where} ORDER BY seq DESC LIMIT $take";
        // One more than asked for tells whether another page follows.
        command.Parameters.AddWithValue("$take", query.Limit + 1);
        var rows = await ReadEventsAsync(command, cancellationToken).ConfigureAwait(false);
        var page = rows.Take(query.Limit).ToList();
        var next = rows.Count > query.Limit ? _cursor.Encode(page[^1].Sequence) : null;
        return new AuditPage(page.ConvertAll(r => r.Event), next);
    }

    /// <inheritdoc />
    public async Task<ChainReport> VerifyAsync(AuditChainScope scope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        await using var connection = Open();
        // One read transaction: the heads and the rows come from the same snapshot, so a concurrent append does
        // not look like a missing row.
        await using var transaction = connection.BeginTransaction(deferred: true);
        var chain = scope.AllChains ? null : Key(AuditChain.ChainOf(scope.TenantId));
        var states = new Dictionary<Guid, ChainState>();
        await using (var heads = connection.CreateCommand())
        {
            heads.Transaction = transaction;
            heads.CommandText = """
                SELECT chain, head_position, head_hash, anchor_position, anchor_hash FROM audit_chains
                WHERE $chain IS NULL OR chain = $chain
                """;
            heads.Parameters.AddWithValue("$chain", (object?)chain ?? DBNull.Value);
            await using var reader = await heads.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var key = Guid.Parse(reader.GetString(0));
                states[key] = new ChainState(
                    key, reader.GetInt64(1), (byte[])reader[2], reader.GetInt64(3), reader.IsDBNull(4) ? [] : (byte[])reader[4]);
            }
        }

        var verifier = new ChainVerifier();
        await using (var rows = connection.CreateCommand())
        {
            rows.Transaction = transaction;
            rows.CommandText = $"""
                SELECT {EventColumns}, chain, position, prev_hash, row_hash FROM audit_log
                WHERE $chain IS NULL OR chain = $chain ORDER BY chain, position
                """;
            rows.Parameters.AddWithValue("$chain", (object?)chain ?? DBNull.Value);
            await using var reader = await rows.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            Guid? current = null;
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var key = Guid.Parse(reader.GetString(17));
                if (key != current)
                {
                    current = key;
                    verifier.Begin(key, states.Remove(key, out var state) ? state : null);
                }

                verifier.Row(new ChainRow(key, reader.GetInt64(18), (byte[])reader[19], (byte[])reader[20], ReadEvent(reader)));
            }
        }

        foreach (var empty in states.Values)
        {
            verifier.Begin(empty.Chain, empty);
        }

        return verifier.Report();
    }

    /// <inheritdoc />
    public Task<int> RemoveOlderThanAsync(DateTimeOffset cutoff, int maxEvents, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEvents);
        return _writer.WriteAsync(
            (connection, transaction) => RemoveOlderThan(connection, transaction, cutoff, maxEvents), cancellationToken);
    }

    /// <inheritdoc />
    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var connection = Open();
        await using var query = connection.CreateCommand();
        query.CommandText = "SELECT count(*) FROM audit_log WHERE 0";
        await query.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    private static int RemoveOlderThan(
        SqliteConnection connection, SqliteTransaction transaction, DateTimeOffset cutoff, int maxEvents)
    {
        using var select = connection.CreateCommand();
        select.Transaction = transaction;
        // Only a chain's oldest events go, up to its first event at or after the cutoff (deliveries can arrive out
        // of order): what remains is an unbroken tail that links to the anchor.
        select.CommandText = """
            SELECT seq, chain, position, row_hash FROM audit_log e
            WHERE occurred_at < $cutoff
              AND NOT EXISTS (SELECT 1 FROM audit_log l
                              WHERE l.chain = e.chain AND l.position < e.position AND l.occurred_at >= $cutoff)
            ORDER BY seq LIMIT $max
            """;
        select.Parameters.AddWithValue("$cutoff", AuditChain.CeilingMicroseconds(cutoff));
        select.Parameters.AddWithValue("$max", maxEvents);
        var victims = new List<(long Seq, string Chain, long Position, byte[] Hash)>();
        using (var reader = select.ExecuteReader())
        {
            while (reader.Read())
            {
                victims.Add((reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), (byte[])reader[3]));
            }
        }

        using var delete = connection.CreateCommand();
        delete.Transaction = transaction;
        delete.CommandText = "DELETE FROM audit_log WHERE seq = $seq";
        var seq = delete.Parameters.Add("$seq", SqliteType.Integer);
        foreach (var victim in victims)
        {
            seq.Value = victim.Seq;
            delete.ExecuteNonQuery();
        }

        using var anchor = connection.CreateCommand();
        anchor.Transaction = transaction;
        anchor.CommandText = """
            UPDATE audit_chains SET anchor_position = $position, anchor_hash = $hash
            WHERE chain = $chain AND anchor_position < $position
            """;
        foreach (var last in victims.GroupBy(v => v.Chain).Select(g => g.MaxBy(v => v.Position)))
        {
            anchor.Parameters.Clear();
            anchor.Parameters.AddWithValue("$chain", last.Chain);
            anchor.Parameters.AddWithValue("$position", last.Position);
            anchor.Parameters.AddWithValue("$hash", last.Hash);
            anchor.ExecuteNonQuery();
        }

        return victims.Count;
    }

    private static string Key(Guid id) => id.ToString("D", CultureInfo.InvariantCulture);

    private static object Db(object? value) => value ?? DBNull.Value;

    private static void Filter(SqliteCommand command, StringBuilder where, string clause, string name, object? value)
    {
        if (value is not null)
        {
            where.Append(" AND ").Append(clause);
            command.Parameters.AddWithValue(name, value);
        }
    }

    private static bool Append(SqliteConnection connection, SqliteTransaction transaction, AuditEvent @event)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT count(*) FROM audit_log WHERE id = $id";
        command.Parameters.AddWithValue("$id", Key(@event.Id));
        if (Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) > 0)
        {
            return false;
        }

        var kept = AuditChain.Normalize(@event);
        var chain = Key(AuditChain.ChainOf(kept.TenantId));
        command.CommandText = "SELECT head_position, head_hash FROM audit_chains WHERE chain = $chain";
        command.Parameters.AddWithValue("$chain", chain);
        long position = 1;
        var previous = AuditChain.Genesis.ToArray();
        var headFound = false;
        using (var reader = command.ExecuteReader())
        {
            if (reader.Read())
            {
                headFound = true;
                position = reader.GetInt64(0) + 1;
                previous = (byte[])reader[1];
            }
        }

        if (!headFound)
        {
            // A chain whose head is gone while rows remain continues after its newest row: refusing every later
            // event would lose the tenant's trail.
            command.CommandText = "SELECT position, row_hash FROM audit_log WHERE chain = $chain ORDER BY position DESC LIMIT 1";
            using var newest = command.ExecuteReader();
            if (newest.Read())
            {
                position = newest.GetInt64(0) + 1;
                previous = (byte[])newest[1];
            }
        }

        var hash = AuditChain.Hash(previous, kept);
        command.CommandText = """
            INSERT INTO audit_log (id, chain, position, prev_hash, row_hash, type, occurred_at, actor_user_id,
                actor_key_id, actor_key_prefix, subject_user_id, subject_key_id, client_address, request_id, details,
                tenant_id, actor, subject, source, trace_id)
            VALUES ($id, $chain, $position, $prev, $hash, $type, $at, $actorUser, $actorKey, $prefix, $subjectUser,
                $subjectKey, $address, $request, $details, $tenant, $actor, $subject, $source, $trace);
            INSERT INTO audit_chains (chain, head_position, head_hash) VALUES ($chain, $position, $hash)
            ON CONFLICT (chain) DO UPDATE SET head_position = excluded.head_position, head_hash = excluded.head_hash;
            """;
        var p = command.Parameters;
        p.AddWithValue("$position", position);
        p.AddWithValue("$prev", previous);
        p.AddWithValue("$hash", hash);
        p.AddWithValue("$type", kept.Type);
        p.AddWithValue("$at", AuditChain.ToMicroseconds(kept.OccurredAt));
        p.AddWithValue("$actorUser", Db(kept.ActorUserId?.ToString("D")));
        p.AddWithValue("$actorKey", Db(kept.ActorKeyId?.ToString("D")));
        p.AddWithValue("$prefix", Db(kept.ActorKeyPrefix));
        p.AddWithValue("$subjectUser", Db(kept.SubjectUserId?.ToString("D")));
        p.AddWithValue("$subjectKey", Db(kept.SubjectKeyId?.ToString("D")));
        p.AddWithValue("$address", Db(kept.ClientAddress));
        p.AddWithValue("$request", Db(kept.RequestId));
        p.AddWithValue("$details", JsonSerializer.Serialize(kept.Details));
        p.AddWithValue("$tenant", Db(kept.TenantId?.ToString("D")));
        p.AddWithValue("$actor", Db(kept.Actor));
        p.AddWithValue("$subject", Db(kept.Subject));
        p.AddWithValue("$source", Db(kept.Source));
        p.AddWithValue("$trace", Db(kept.TraceId));
        command.ExecuteNonQuery();
        return true;
    }

    private static async Task<List<(long Sequence, AuditEvent Event)>> ReadEventsAsync(
        SqliteCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var events = new List<(long, AuditEvent)>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            events.Add((reader.GetInt64(0), ReadEvent(reader)));
        }

        return events;
    }

    // The columns of EventColumns, in its order.
    private static AuditEvent ReadEvent(SqliteDataReader reader) =>
        AuditRows.Read(reader, Guid.Parse(reader.GetString(1)), AuditChain.FromMicroseconds(reader.GetInt64(3)), i => OptionalGuid(reader, i));

    private static Guid? OptionalGuid(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : Guid.Parse(reader.GetString(ordinal));

    private SqliteConnection Open() => _writer.Open();
}
