namespace WasmWizard.DaprDouble.State;

/// <summary>
/// The values of a state component's <c>keyPrefix</c> metadata, which decide what a sidecar puts before each key
/// it stores, and so which apps see each other's keys.
/// </summary>
/// <remarks>Any other value is used literally, lower-cased, as daprd does.</remarks>
public static class KeyPrefix
{
    /// <summary><c>&lt;appId&gt;||key</c>: every app has its own keys. daprd's default.</summary>
    public const string AppId = "appid";

    /// <summary><c>&lt;componentName&gt;||key</c>: every app using the component shares its keys.</summary>
    public const string Name = "name";

    /// <summary>
    /// <c>&lt;namespace&gt;.&lt;appId&gt;||key</c>. The double has no namespace, so this acts like
    /// <see cref="AppId"/>, as daprd does when <c>NAMESPACE</c> is unset.
    /// </summary>
    public const string Namespace = "namespace";

    /// <summary>The key as given, shared by every app.</summary>
    public const string None = "none";

    /// <summary>Separator daprd puts between prefix and key; keys may not contain it.</summary>
    public const string Separator = "||";

    /// <summary>The key a sidecar of <paramref name="appId"/> stores <paramref name="key"/> under.</summary>
    /// <exception cref="ArgumentException">The key contains <see cref="Separator"/>, which daprd refuses.</exception>
    public static string Apply(string mode, string storeName, string appId, string key)
    {
        ArgumentNullException.ThrowIfNull(mode);
        ArgumentNullException.ThrowIfNull(key);
        if (key.Contains(Separator, StringComparison.Ordinal))
        {
            throw new ArgumentException($"input key/keyPrefix '{key}' can't contain '{Separator}'", nameof(key));
        }

        return mode.ToLowerInvariant() switch
        {
            "" or AppId or Namespace => appId + Separator + key,
            Name => storeName + Separator + key,
            None => key,
            var custom => custom + Separator + key,
        };
    }

    /// <summary>The key daprd stores an actor's state under: <c>appId||type||id||key</c>, whatever the mode.</summary>
    public static string ForActor(string appId, string actorType, string actorId, string key) =>
        string.Join(Separator, appId, actorType, actorId, key);
}
