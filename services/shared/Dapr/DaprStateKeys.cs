namespace WasmWizard.Shared.Dapr;

/// <summary>
/// The keys of the shared state store (<see cref="DaprNames.StateStore"/>). The api writes them and the executor
/// reads module bytes from them, so both must build each key the same way. None may contain <c>||</c>, Dapr's
/// prefix separator.
/// </summary>
public static class DaprStateKeys
{
    /// <summary>The bytes of a stored module, by the lower-case hex SHA-256 of its content.</summary>
    public static string ModuleBytes(string sha256)
    {
        ArgumentNullException.ThrowIfNull(sha256);
        if (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigitLower))
        {
            throw new ArgumentException("A module's key is its lower-case hex SHA-256.", nameof(sha256));
        }

        return "module-bytes:" + sha256;
    }
}
