namespace WasmWizard.Distributed.Tests.Infrastructure;

/// <summary>Settings every composition runs with, so the same assertions hold for each.</summary>
public static class Settings
{
    /// <summary>Quiet logs; everything else is the published defaults (tier limits included).</summary>
    public static IReadOnlyDictionary<string, string?> Common { get; } = new Dictionary<string, string?>
    {
        ["Serilog:MinimumLevel:Default"] = "Warning",

        // The budget actor's answer may take longer than the production 500 ms while a whole test run shares two
        // cores; past the timeout a request goes through uncounted, and tests that count would fail at random.
        ["RateLimiting:Actor:Timeout"] = "00:00:10",
    };
}
