namespace WasmWizard.Shared.Text;

/// <summary>Checks on text that must cross into WASI, which speaks UTF-8.</summary>
public static class UnicodeText
{
    /// <summary>
    /// Whether <paramref name="text"/> has a surrogate without its partner: such a string has no UTF-8 form,
    /// so it cannot become an argument, an environment variable or a program name.
    /// </summary>
    public static bool HasLoneSurrogate(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }

        return false;
    }
}
