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

    /// <summary>The output as JSON carries it, and which of <see cref="Utf8"/> or <see cref="Base64"/> that is.</summary>
    public static (string Text, string Encoding) Encode(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        try
        {
            return (StrictUtf8.GetString(bytes), Utf8);
        }
        catch (DecoderFallbackException)
        {
            return (Convert.ToBase64String(bytes), Base64);
        }
    }
}
