namespace WasmWizard.Distributed.Tests.Infrastructure;

/// <summary>Settings every composition runs with, so the same assertions hold for each.</summary>
public static class Settings
{
    /// <summary>Quiet logs; everything else is the published defaults (tier limits included).</summary>
    public static IReadOnlyDictionary<string, string?> Common { get; } = new Dictionary<string, string?>
    {
        ["Serilog:MinimumLevel:Default"] = "Warning",
    };
}
