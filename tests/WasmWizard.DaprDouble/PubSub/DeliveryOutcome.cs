namespace WasmWizard.DaprDouble.PubSub;

/// <summary>How one event's delivery to one subscribing app ended.</summary>
public enum DeliveryOutcome
{
    /// <summary>The app acknowledged it.</summary>
    Succeeded,

    /// <summary>The app answered DROP or 404.</summary>
    Dropped,

    /// <summary>Every attempt the retry policy allows asked for a retry.</summary>
    RetriesExhausted,
}
