namespace WasmWizard.DaprDouble.Tests.Infrastructure;

/// <summary>A payload for state and pub/sub tests.</summary>
public sealed record Order(string Id, int Quantity);
