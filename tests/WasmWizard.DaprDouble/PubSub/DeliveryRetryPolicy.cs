namespace WasmWizard.DaprDouble.PubSub;

/// <summary>
/// How often a sidecar retries a delivery the app asked to retry: a constant resiliency policy on the pub/sub
/// component's inbound direction. Keep it small in tests.
/// </summary>
/// <remarks>
/// <see cref="MaxRetries"/> = 0 gives daprd's behaviour with a dead-letter topic and no retry policy: the first
/// failure goes to the dead-letter topic.
/// </remarks>
public sealed class DeliveryRetryPolicy
{
    /// <summary>Attempts after the first; 0 means none.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Wait between attempts.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMilliseconds(20);
}
