namespace WasmWizard.DaprDouble.PubSub;

/// <summary>One POST of a CloudEvent to a subscriber, and its answer.</summary>
/// <param name="Number">1 for the first attempt.</param>
/// <param name="StatusCode">The HTTP status, or null when the app could not be reached.</param>
/// <param name="AppStatus">The <c>status</c> field of the app's JSON answer, if any.</param>
/// <param name="Error">Why the app could not be reached, if it could not.</param>
/// <param name="Verdict">What the sidecar made of the answer.</param>
public sealed record DeliveryAttempt(
    int Number, int? StatusCode, string? AppStatus, string? Error, DeliveryVerdict Verdict)
{
    /// <summary>
    /// The <see cref="SidecarDouble.ReplicaIndex"/> of the subscriber's replica that made the attempt: 0 unless the
    /// app runs several replicas.
    /// </summary>
    public int Replica { get; init; }
}
