using System.Globalization;

namespace WasmWizard.Api.Http;

/// <summary>Parsing of the loosely typed text values that forms and query strings carry.</summary>
public static class TextValues
{
    /// <summary>Accepts true/false, 1/0, yes/no and on/off, case-insensitively.</summary>
    public static bool TryParseBoolean(string? text, out bool value)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "true" or "1" or "yes" or "on":
                value = true;
                return true;
            case "false" or "0" or "no" or "off":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    /// <summary>
    /// Parses an RFC 3339 instant that states its offset (<c>Z</c> or <c>±hh:mm</c>); a bare local time means something
    /// else on every server, so it does not parse. The value comes back in UTC.
    /// </summary>
    public static bool TryParseInstant(string? text, out DateTimeOffset value)
    {
        value = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var hasOffset = text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');
        if (!hasOffset || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at))
        {
            return false;
        }

        value = at.ToUniversalTime();
        return true;
    }
}
