namespace WasmWizard.Shared.RateLimiting;

/// <summary>A tier's request rate: a burst that refills at the per-minute rate, under an hourly budget.</summary>
/// <param name="PerMinute">Sustained requests per minute (the refill rate of the burst bucket).</param>
/// <param name="PerHour">Requests per hour (capacity and refill of the hourly bucket).</param>
/// <param name="Burst">How many requests may come at once.</param>
public sealed record RateLimitPolicy(int PerMinute, int PerHour, int Burst);
