namespace WasmWizard.Shared.Dapr;

/// <summary>How the api asks the per-key rate-limit actors.</summary>
/// <remarks>
/// Configuration shape (section <c>RateLimiting:Actor</c>):
/// <code>
/// "RateLimiting": { "Actor": { "Timeout": "00:00:00.500" } }
/// </code>
/// </remarks>
public sealed class ActorRateLimiterOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "RateLimiting:Actor";

    /// <summary>The default <see cref="Timeout"/>.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How long a request waits for its actor before it is let through unchecked. Kept short because every API
    /// call waits this long while the sidecar or placement is unwell.
    /// </summary>
    public TimeSpan Timeout { get; set; } = DefaultTimeout;
}
