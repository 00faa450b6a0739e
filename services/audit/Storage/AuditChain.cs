using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using WasmWizard.Shared.Contracts.Events;

namespace WasmWizard.Audit.Storage;

/// <summary>
/// The canonical form of an event and the hash that chains it to the one before it. Both stores use this one
/// definition, so a trail moved from SQLite to PostgreSQL still verifies.
/// </summary>
public static class AuditChain
{
    /// <summary>The length of every hash in a chain.</summary>
    public const int HashLength = SHA256.HashSizeInBytes;

    // A version tag first, so a later canonical form can never produce the same bytes as this one.
    private static readonly byte[] FormatTag = "wasmwizard.audit.v1"u8.ToArray();

    /// <summary>What the first event of a chain links to when nothing was ever removed.</summary>
    public static ReadOnlyMemory<byte> Genesis { get; } = new byte[HashLength];

    /// <summary>
    /// The chain an event belongs to: its tenant, or the nil id for the events without one (tenant ids are user ids,
    /// which are never nil).
    /// </summary>
    public static Guid ChainOf(Guid? tenantId) => tenantId ?? Guid.Empty;

    /// <summary>The tenant a chain key stands for.</summary>
    public static Guid? TenantOf(Guid chain) => chain == Guid.Empty ? null : chain;

    /// <summary>
    /// The event as a store keeps it: its time in UTC cut to whole microseconds (PostgreSQL keeps no finer), and NUL
    /// characters, which PostgreSQL text cannot hold, replaced. What is read back then hashes as what was appended.
    /// </summary>
    public static AuditEvent Normalize(AuditEvent @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        var details = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in @event.Details ?? new Dictionary<string, string>())
        {
            details[Clean(key)!] = Clean(value)!;
        }

        return @event with
        {
            Type = Clean(@event.Type)!,
            OccurredAt = FromMicroseconds(ToMicroseconds(@event.OccurredAt)),
            ActorKeyPrefix = Clean(@event.ActorKeyPrefix),
            ClientAddress = Clean(@event.ClientAddress),
            RequestId = Clean(@event.RequestId),
            Details = details,
            Actor = Clean(@event.Actor),
            Subject = Clean(@event.Subject),
            Source = Clean(@event.Source)!,
            TraceId = Clean(@event.TraceId),
        };
    }

    /// <summary>Microseconds since the Unix epoch, rounded down.</summary>
    public static long ToMicroseconds(DateTimeOffset time)
    {
        var micros = Math.DivRem(time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks, TimeSpan.TicksPerMicrosecond, out var rest);
        return rest < 0 ? micros - 1 : micros;
    }

    /// <summary>
    /// The first whole microsecond at or after <paramref name="time"/>: a stored time (whole microseconds) is at or
    /// after <paramref name="time"/> exactly when it is at or after this.
    /// </summary>
    public static long CeilingMicroseconds(DateTimeOffset time)
    {
        var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var micros = Math.DivRem(ticks, TimeSpan.TicksPerMicrosecond, out var rest);
        return rest > 0 ? micros + 1 : micros;
    }

    /// <summary>The UTC time <paramref name="micros"/> microseconds after the Unix epoch.</summary>
    public static DateTimeOffset FromMicroseconds(long micros) =>
        DateTimeOffset.UnixEpoch.AddTicks(micros * TimeSpan.TicksPerMicrosecond);

    /// <summary>SHA-256 of <paramref name="previous"/> followed by the canonical bytes of <paramref name="event"/>.</summary>
    public static byte[] Hash(ReadOnlySpan<byte> previous, AuditEvent @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        if (previous.Length != HashLength)
        {
            throw new ArgumentException($"A previous hash has {HashLength} bytes.", nameof(previous));
        }

        var canonical = new ArrayBufferWriter<byte>(512);
        Canonical(@event, canonical);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(previous);
        sha.AppendData(canonical.WrittenSpan);
        return sha.GetHashAndReset();
    }

    /// <summary>
    /// Writes every field in a fixed order, each length-prefixed or fixed-size, so no two events share bytes; details
    /// are sorted by key (ordinal) because a dictionary's order means nothing.
    /// </summary>
    public static void Canonical(AuditEvent @event, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(@event);
        ArgumentNullException.ThrowIfNull(output);
        output.Write(FormatTag);
        WriteGuid(output, @event.Id);
        WriteString(output, @event.Type);
        WriteInt64(output, ToMicroseconds(@event.OccurredAt));
        WriteGuid(output, @event.ActorUserId);
        WriteGuid(output, @event.ActorKeyId);
        WriteString(output, @event.ActorKeyPrefix);
        WriteGuid(output, @event.SubjectUserId);
        WriteGuid(output, @event.SubjectKeyId);
        WriteString(output, @event.ClientAddress);
        WriteString(output, @event.RequestId);
        var details = @event.Details ?? new Dictionary<string, string>();
        WriteInt64(output, details.Count);
        foreach (var (key, value) in details.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            WriteString(output, key);
            WriteString(output, value);
        }

        WriteGuid(output, @event.TenantId);
        WriteString(output, @event.Actor);
        WriteString(output, @event.Subject);
        WriteString(output, @event.Source);
        WriteString(output, @event.TraceId);
    }

    private static string? Clean(string? text) =>
        text is not null && text.Contains('\0', StringComparison.Ordinal) ? text.Replace('\0', '\uFFFD') : text;

    private static void WriteGuid(IBufferWriter<byte> output, Guid? value)
    {
        var span = output.GetSpan(17);
        span[0] = value is null ? (byte)0 : (byte)1;
        if (value is { } id)
        {
            id.TryWriteBytes(span[1..], bigEndian: true, out _);
            output.Advance(17);
        }
        else
        {
            output.Advance(1);
        }
    }

    private static void WriteInt64(IBufferWriter<byte> output, long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(output.GetSpan(8), value);
        output.Advance(8);
    }

    private static void WriteString(IBufferWriter<byte> output, string? value)
    {
        if (value is null)
        {
            WriteInt64(output, -1);
            return;
        }

        // Lone surrogates become U+FFFD here exactly as they do on their way into either database.
        var length = Encoding.UTF8.GetByteCount(value);
        WriteInt64(output, length);
        Encoding.UTF8.GetBytes(value, output.GetSpan(length));
        output.Advance(length);
    }
}
