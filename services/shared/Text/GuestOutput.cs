using System.Text;

namespace WasmWizard.Shared.Text;

/// <summary>How a guest's stdout or stderr travels in JSON: as text when it is valid UTF-8, else base64.</summary>
public static class GuestOutput
{
    /// <summary>The encoding name of output sent as text.</summary>
    public const string Utf8 = "utf8";

    /// <summary>The encoding name of output sent base64.</summary>
    public const string Base64 = "base64";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The output as JSON carries it, and which of <see cref="Utf8"/> or <see cref="Base64"/> that is. Output cut at
    /// its cap (<paramref name="truncated"/>) may end inside a character; that partial character is dropped with
    /// the rest of what the cap dropped, rather than turning the whole output into base64.
    /// </summary>
    public static (string Text, string Encoding) Encode(byte[] bytes, bool truncated = false)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var text = truncated ? bytes.AsSpan(0, bytes.Length - CutCharacterLength(bytes)) : bytes;
        try
        {
            return (StrictUtf8.GetString(text), Utf8);
        }
        catch (DecoderFallbackException)
        {
            return (Convert.ToBase64String(bytes), Base64);
        }
    }

    // The bytes at the end that begin a UTF-8 sequence without all the continuation bytes it announces; 0 when the
    // end is whole (or is not UTF-8 at all, which the strict decoder then finds).
    private static int CutCharacterLength(byte[] bytes)
    {
        for (var back = 1; back <= Math.Min(3, bytes.Length); back++)
        {
            var b = bytes[^back];
            if ((b & 0xC0) == 0x80)
            {
                continue;
            }

            var announced = b switch
            {
                >= 0xF0 and <= 0xF4 => 4,
                >= 0xE0 and <= 0xEF => 3,
                >= 0xC2 and <= 0xDF => 2,
                _ => 1,
            };
            return announced > back ? back : 0;
        }

        return 0;
    }
}
