using System.Security.Cryptography;
using System.Text;

namespace WasmWizard.Api.Auth;

/// <summary>
/// API keys: <c>ww_</c> followed by 43 base64url characters (256 random bits). Only the SHA-256 of a key is
/// stored; the key itself exists once, in the response that creates it.
/// </summary>
public static class ApiKeys
{
    /// <summary>Every key starts with this.</summary>
    public const string Prefix = "ww_";

    private const int SecretLength = 43;
    private const int DisplayPrefixLength = 11;

    /// <summary>A new random key.</summary>
    public static string Generate() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>Lower-case hex SHA-256 of the key, the only form that is stored.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>The first characters of a key, enough to recognise it in a list and useless for guessing.</summary>
    public static string DisplayPrefix(string key) => key[..Math.Min(DisplayPrefixLength, key.Length)];

    /// <summary>Whether <paramref name="candidate"/> has the shape of a key (cheap check before any lookup).</summary>
    public static bool HasKeyShape(string candidate) =>
        candidate.Length == Prefix.Length + SecretLength
        && candidate.StartsWith(Prefix, StringComparison.Ordinal)
        && candidate.AsSpan(Prefix.Length).IndexOfAnyExcept(Base64UrlAlphabet) < 0;

    private static readonly System.Buffers.SearchValues<char> Base64UrlAlphabet = System.Buffers.SearchValues.Create(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
