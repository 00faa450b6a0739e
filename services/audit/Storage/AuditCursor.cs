using System.Buffers.Binary;
using System.Security.Cryptography;

namespace WasmWizard.Audit.Storage;

/// <summary>
/// A page cursor: the sequence number the previous page ended at, signed with the store's key. It carries only that
/// position (every filter comes from the query again), and the signature turns a cursor the store never handed out
/// into an <see cref="ArgumentException"/> instead of a query from an arbitrary place.
/// </summary>
/// <remarks>
/// The key lives in the database itself, so cursors stay valid across restarts and between replicas.
/// </remarks>
public sealed class AuditCursor
{
    /// <summary>The length of a signing key.</summary>
    public const int KeyLength = 32;

    private const string Prefix = "c1.";
    private const int MacLength = 16;
    private static readonly byte[] Purpose = "wasmwizard.audit.cursor.v1"u8.ToArray();

    private readonly byte[] _key;

    /// <summary>Signs and checks with <paramref name="key"/>.</summary>
    public AuditCursor(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length != KeyLength)
        {
            throw new ArgumentException($"A cursor key has {KeyLength} bytes.", nameof(key));
        }

        _key = key.ToArray();
    }

    /// <summary>A new random key.</summary>
    public static byte[] NewKey() => RandomNumberGenerator.GetBytes(KeyLength);

    /// <summary>The cursor that continues after the event with sequence number <paramref name="sequence"/>.</summary>
    public string Encode(long sequence)
    {
        Span<byte> payload = stackalloc byte[8 + MacLength];
        BinaryPrimitives.WriteInt64BigEndian(payload, sequence);
        Mac(payload[..8], payload[8..]);
        return Prefix + Base64Url(payload);
    }

    /// <summary>The sequence number in <paramref name="cursor"/>.</summary>
    /// <exception cref="ArgumentException">This store did not hand <paramref name="cursor"/> out.</exception>
    public long Decode(string cursor)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        Span<byte> payload = stackalloc byte[8 + MacLength];
        if (!cursor.StartsWith(Prefix, StringComparison.Ordinal)
            || cursor.Length > 64
            || !TryFromBase64Url(cursor.AsSpan(Prefix.Length), payload))
        {
            throw Refused();
        }

        Span<byte> expected = stackalloc byte[MacLength];
        Mac(payload[..8], expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, payload[8..]))
        {
            throw Refused();
        }

        return BinaryPrimitives.ReadInt64BigEndian(payload);
    }

    private static ArgumentException Refused() =>
        new("The cursor is not one this audit trail handed out.", "cursor");

    private static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool TryFromBase64Url(ReadOnlySpan<char> text, Span<byte> destination)
    {
        var padded = text.ToString().Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - (padded.Length % 4)) % 4);
        return Convert.TryFromBase64String(padded, destination, out var written) && written == destination.Length;
    }

    private void Mac(ReadOnlySpan<byte> position, Span<byte> destination)
    {
        Span<byte> input = stackalloc byte[Purpose.Length + position.Length];
        Purpose.CopyTo(input);
        position.CopyTo(input[Purpose.Length..]);
        Span<byte> full = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, input, full);
        full[..MacLength].CopyTo(destination);
    }
}
