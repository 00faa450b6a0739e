using System.Data;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using WasmWizard.Audit.Storage.Migrations;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Audit.Storage;

/// <summary>
/// The audit trail in PostgreSQL: the same rows, chains and cursors as <see cref="SqliteAuditEventStore"/>, with
/// appends to one chain serialized by a lock on its <c>audit_chains</c> row rather than on the whole trail.
/// </summary>
public sealed class PostgresAuditEventStore(NpgsqlDataSource dataSource) : IAuditEventStore
{
    /// <summary>The advisory lock key retention passes take, so two replicas never trim one chain at once.</summary>
    public const long RetentionLockKey = 0x5757_4155_4449_5432;

    private const string EventColumns = """
        seq, id, type, occurred_at, actor_user_id, actor_key_id, actor_key_prefix, subject_user_id, subject_key_id,
        client_address, request_id, details, tenant_id, actor, subject, source, trace_id
        """;

    private readonly SemaphoreSlim _initializing = new(1, 1);
    private AuditCursor? _cursor;

    /// <summary>
    /// Applies the schema migrations and reads (or creates) the cursor key. Every operation does this first; the host
    /// calls it at startup so that a database it cannot use fails the start.
    /// </summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        _ = await ReadyAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> AppendAsync(AuditEvent @event, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(@event);
        ArgumentException.ThrowIfNullOrEmpty(@event.Type, nameof(@event));
        await ReadyAsync(cancellationToken).ConfigureAwait(false);
        var kept = AuditChain.Normalize(@event);
        var chain = AuditChain.ChainOf(kept.TenantId);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // Lock the chain's head (creating it for a new chain) first: from then on no other append to this chain
        // runs, so the id check and the head read below cannot go stale before the commit.
        long head;
        byte[] previous;
        bool exists;
        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            // A chain whose head is gone while rows remain continues after its newest row: refusing every later event
            // would lose the tenant's trail, and the verifier still reports the rows the head no longer covers.
            var lockHead = new NpgsqlBatchCommand("""
                INSERT INTO audit_chains (chain, head_position, head_hash)
                SELECT @chain, coalesce(max(position), 0),
                    coalesce((SELECT row_hash FROM audit_log WHERE chain = @chain ORDER BY position DESC LIMIT 1), @genesis)
                FROM audit_log WHERE chain = @chain
                ON CONFLICT (chain) DO UPDATE SET chain = excluded.chain
                RETURNING head_position, head_hash
                """);
            lockHead.Parameters.Add(new NpgsqlParameter<Guid>("chain", chain));
            lockHead.Parameters.Add(new NpgsqlParameter<byte[]>("genesis", AuditChain.Genesis.ToArray()));
            var known = new NpgsqlBatchCommand("SELECT EXISTS (SELECT 1 FROM audit_log WHERE id = @id)");
            known.Parameters.Add(new NpgsqlParameter<Guid>("id", kept.Id));
            batch.BatchCommands.Add(lockHead);
            batch.BatchCommands.Add(known);
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            head = reader.GetInt64(0);
            previous = reader.GetFieldValue<byte[]>(1);
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            exists = reader.GetBoolean(0);
        }

        if (exists)
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return false;
        }

        var position = head + 1;
        var hash = AuditChain.Hash(previous, kept);
        // ON CONFLICT (id): the same id under another tenant locks another head, so it can race past the check above;
        // the loser then inserts nothing and moves no head.
        await using var insert = new NpgsqlCommand(
            """
            WITH added AS (
                INSERT INTO audit_log (id, chain, position, prev_hash, row_hash, type, occurred_at, actor_user_id,
                    actor_key_id, actor_key_prefix, subject_user_id, subject_key_id, client_address, request_id,
                    details, tenant_id, actor, subject, source, trace_id)
                VALUES (@id, @chain, @position, @prev, @hash, @type, @at, @actorUser, @actorKey, @prefix,
                    @subjectUser, @subjectKey, @address, @request, @details, @tenant, @actor, @subject, @source, @trace)
                ON CONFLICT (id) DO NOTHING
                RETURNING 1)
            UPDATE audit_chains SET head_position = @position, head_hash = @hash
            WHERE chain = @chain AND EXISTS (SELECT 1 FROM added)
            """,
            connection,
            transaction);
        var p = insert.Parameters;
        p.Add(new NpgsqlParameter<Guid>("id", kept.Id));
        p.Add(new NpgsqlParameter<Guid>("chain", chain));
        p.Add(new NpgsqlParameter<long>("position", position));
        p.Add(new NpgsqlParameter<byte[]>("prev", previous));
        p.Add(new NpgsqlParameter<byte[]>("hash", hash));
        p.Add(new NpgsqlParameter<string>("type", kept.Type));
        p.Add(new NpgsqlParameter<DateTime>("at", kept.OccurredAt.UtcDateTime));
        p.Add(Nullable("actorUser", NpgsqlDbType.Uuid, kept.ActorUserId));
        p.Add(Nullable("actorKey", NpgsqlDbType.Uuid, kept.ActorKeyId));
        p.Add(Nullable("prefix", NpgsqlDbType.Text, kept.ActorKeyPrefix));
        p.Add(Nullable("subjectUser", NpgsqlDbType.Uuid, kept.SubjectUserId));
        p.Add(Nullable("subjectKey", NpgsqlDbType.Uuid, kept.SubjectKeyId));
        p.Add(Nullable("address", NpgsqlDbType.Text, kept.ClientAddress));
        p.Add(Nullable("request", NpgsqlDbType.Text, kept.RequestId));
        p.Add(Nullable("details", NpgsqlDbType.Json, JsonSerializer.Serialize(kept.Details)));
        p.Add(Nullable("tenant", NpgsqlDbType.Uuid, kept.TenantId));
        p.Add(Nullable("actor", NpgsqlDbType.Text, kept.Actor));
        p.Add(Nullable("subject", NpgsqlDbType.Text, kept.Subject));
        p.Add(Nullable("source", NpgsqlDbType.Text, kept.Source));
        p.Add(Nullable("trace", NpgsqlDbType.Text, kept.TraceId));
        if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return false;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<AuditEvent>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await ReadyAsync(cancellationToken).ConfigureAwait(false);
        await using var command = dataSource.CreateCommand(
            $"SELECT {EventColumns} FROM audit_log ORDER BY seq DESC LIMIT @limit");
        command.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
        return (await ReadEventsAsync(command, cancellationToken).ConfigureAwait(false)).ConvertAll(e => e.Event);
    }

    /// <inheritdoc />
    public async Task<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        AuditQueryRules.Validate(query);
        var cursor = await ReadyAsync(cancellationToken).ConfigureAwait(false);
        var before = query.Cursor is null ? (long?)null : cursor.Decode(query.Cursor);
        await using var command = dataSource.CreateCommand();
        // Only fixed fragments join the text; every value is a parameter.
        var where = new StringBuilder("WHERE true");
        Filter(command, where, "seq < @before", "before", NpgsqlDbType.Bigint, before);
        Filter(command, where, "chain = @chain", "chain", NpgsqlDbType.Uuid, query.TenantId);
        Filter(command, where, "type = @type", "type", NpgsqlDbType.Text, query.Type);
        Filter(command, where, "actor = @actor", "actor", NpgsqlDbType.Text, query.Actor);
        Filter(command, where, "subject = @subject", "subject", NpgsqlDbType.Text, query.Subject);
        Filter(command, where, "occurred_at >= @from", "from", NpgsqlDbType.TimestampTz,
            Time(AuditQueryRules.FromMicroseconds(query)));
        Filter(command, where, "occurred_at < @to", "to", NpgsqlDbType.TimestampTz, Time(AuditQueryRules.ToMicroseconds(query)));
        command.CommandText = $"SELECT {EventColumns} FROM audit_log {where} ORDER BY seq DESC LIMIT @take";
        // One more than asked for tells whether another page follows.
        command.Parameters.Add(new NpgsqlParameter<int>("take", query.Limit + 1));
        var rows = await ReadEventsAsync(command, cancellationToken).ConfigureAwait(false);
        var page = rows.Take(query.Limit).ToList();
        var next = rows.Count > query.Limit ? cursor.Encode(page[^1].Sequence) : null;
        return new AuditPage(page.ConvertAll(r => r.Event), next);
    }

    /// <inheritdoc />
    public async Task<ChainReport> VerifyAsync(AuditChainScope scope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        await ReadyAsync(cancellationToken).ConfigureAwait(false);
        Guid? chain = scope.AllChains ? null : AuditChain.ChainOf(scope.TenantId);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // One snapshot for heads and rows, so a concurrent append does not look like a missing row.
        await using var transaction = await connection
            .BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken)
            .ConfigureAwait(false);
        var states = new Dictionary<Guid, ChainState>();
        await using (var heads = new NpgsqlCommand(
            """
            SELECT chain, head_position, head_hash, anchor_position, anchor_hash FROM audit_chains
            WHERE @chain::uuid IS NULL OR chain = @chain
            """,
            connection,
            transaction))
        {
            heads.Parameters.Add(Nullable("chain", NpgsqlDbType.Uuid, chain));
            await using var reader = await heads.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var key = reader.GetGuid(0);
                states[key] = new ChainState(
                    key,
                    reader.GetInt64(1),
                    reader.GetFieldValue<byte[]>(2),
                    reader.GetInt64(3),
                    reader.IsDBNull(4) ? [] : reader.GetFieldValue<byte[]>(4));
            }
        }

        var verifier = new ChainVerifier();
        await using (var rows = new NpgsqlCommand(
            $"""
            SELECT {EventColumns}, chain, position, prev_hash, row_hash FROM audit_log
            WHERE @chain::uuid IS NULL OR chain = @chain ORDER BY chain, position
            """,
            connection,
            transaction))
        {
            rows.Parameters.Add(Nullable("chain", NpgsqlDbType.Uuid, chain));
            await using var reader = await rows.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            Guid? current = null;
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var key = reader.GetGuid(17);
                if (key != current)
                {
                    current = key;
                    verifier.Begin(key, states.Remove(key, out var state) ? state : null);
                }

                verifier.Row(new ChainRow(
                    key,
                    reader.GetInt64(18),
                    reader.GetFieldValue<byte[]>(19),
                    reader.GetFieldValue<byte[]>(20),
                    ReadEvent(reader)));
            }
        }

        foreach (var empty in states.Values)
        {
            verifier.Begin(empty.Chain, empty);
        }

        return verifier.Report();
    }

    /// <inheritdoc />
    public async Task<int> RemoveOlderThanAsync(DateTimeOffset cutoff, int maxEvents, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEvents);
        await ReadyAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection, transaction);
        var serialize = new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock(@key)");
        serialize.Parameters.Add(new NpgsqlParameter<long>("key", RetentionLockKey));
        // Only a chain's oldest events go, up to its first event at or after the cutoff (deliveries can arrive out of
        // order): what remains is an unbroken tail that links to the anchor. Within a chain seq follows position,
        // since both are taken under the chain's lock, so ordering by seq takes each chain's prefix.
        var remove = new NpgsqlBatchCommand("""
            WITH victims AS (
                SELECT seq FROM audit_log e
                WHERE occurred_at < @cutoff
                  AND NOT EXISTS (SELECT 1 FROM audit_log l
                                  WHERE l.chain = e.chain AND l.position < e.position AND l.occurred_at >= @cutoff)
                ORDER BY seq LIMIT @max),
            removed AS (
                DELETE FROM audit_log d USING victims v WHERE d.seq = v.seq
                RETURNING d.chain, d.position, d.row_hash),
            last AS (
                SELECT DISTINCT ON (chain) chain, position, row_hash FROM removed ORDER BY chain, position DESC),
            anchored AS (
                UPDATE audit_chains c SET anchor_position = last.position, anchor_hash = last.row_hash
                FROM last WHERE c.chain = last.chain AND c.anchor_position < last.position
                RETURNING 1)
            SELECT count(*)::integer FROM removed
            """);
        remove.Parameters.Add(new NpgsqlParameter<DateTime>(
            "cutoff", AuditChain.FromMicroseconds(AuditChain.CeilingMicroseconds(cutoff)).UtcDateTime));
        remove.Parameters.Add(new NpgsqlParameter<int>("max", maxEvents));
        batch.BatchCommands.Add(serialize);
        batch.BatchCommands.Add(remove);
        int removed;
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            removed = reader.GetInt32(0);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return removed;
    }

    /// <inheritdoc />
    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await ReadyAsync(cancellationToken).ConfigureAwait(false);
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM audit_log WHERE false");
        await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    private static NpgsqlParameter Nullable(string name, NpgsqlDbType type, object? value) =>
        new(name, type) { Value = value ?? DBNull.Value };

    private static DateTime? Time(long? micros) =>
        micros is { } m ? AuditChain.FromMicroseconds(m).UtcDateTime : null;

    private static void Filter(
        NpgsqlCommand command, StringBuilder where, string clause, string name, NpgsqlDbType type, object? value)
    {
        if (value is not null)
        {
            where.Append(" AND ").Append(clause);
            command.Parameters.Add(Nullable(name, type, value));
        }
    }

    private static async Task<List<(long Sequence, AuditEvent Event)>> ReadEventsAsync(
        NpgsqlCommand command, CancellationToken cancellationToken)
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
    private static AuditEvent ReadEvent(NpgsqlDataReader reader) =>
        AuditRows.Read(reader, reader.GetGuid(1), reader.GetFieldValue<DateTimeOffset>(3), i => OptionalGuid(reader, i));

    private static Guid? OptionalGuid(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetGuid(ordinal);

    private async Task<AuditCursor> ReadyAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _cursor) is { } ready)
        {
            return ready;
        }

        await _initializing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_cursor is null)
            {
                await new PostgresMigrationRunner(dataSource).RunAsync(cancellationToken).ConfigureAwait(false);
                // Two statements, so the read takes a snapshot after a concurrent replica's insert committed.
                await using var key = dataSource.CreateBatch();
                var insert = new NpgsqlBatchCommand(
                    "INSERT INTO audit_settings (name, value) VALUES ('cursor_key', @key) ON CONFLICT (name) DO NOTHING");
                insert.Parameters.Add(new NpgsqlParameter<byte[]>("key", AuditCursor.NewKey()));
                key.BatchCommands.Add(insert);
                key.BatchCommands.Add(new NpgsqlBatchCommand("SELECT value FROM audit_settings WHERE name = 'cursor_key'"));
                await using var reader = await key.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref _cursor, new AuditCursor(reader.GetFieldValue<byte[]>(0)));
            }

            return _cursor!;
        }
        finally
        {
            _initializing.Release();
        }
    }
}
