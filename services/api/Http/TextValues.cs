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
}
