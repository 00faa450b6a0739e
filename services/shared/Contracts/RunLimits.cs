namespace WasmWizard.Shared.Contracts;

/// <summary>The limits one run gets, already capped by the caller's tier.</summary>
/// <param name="TimeoutMs">Wall-time deadline in milliseconds, counted from before instantiation.</param>
/// <param name="MemoryLimitBytes">The most bytes the guest's linear memory may grow to.</param>
/// <param name="Fuel">The fuel budget, or null for no fuel limit.</param>
public sealed record RunLimits(int TimeoutMs, long MemoryLimitBytes, ulong? Fuel);
