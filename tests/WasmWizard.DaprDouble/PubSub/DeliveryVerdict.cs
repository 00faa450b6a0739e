namespace WasmWizard.DaprDouble.PubSub;

/// <summary>What a sidecar makes of one delivery attempt's answer.</summary>
public enum DeliveryVerdict
{
    /// <summary>2xx with no status, an unreadable body, or <c>{"status":"SUCCESS"}</c>: acknowledged.</summary>
    Success,

    /// <summary><c>RETRY</c>, an unknown status, a non-2xx code other than 404, or no answer at all.</summary>
    Retry,

    /// <summary>
    /// <c>DROP</c> or 404: never retried; dead-lettered when the subscription has a dead-letter topic.
    /// </summary>
    Drop,
}
