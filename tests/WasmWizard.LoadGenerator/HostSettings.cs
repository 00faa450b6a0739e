namespace WasmWizard.LoadGenerator;

/// <summary>
/// The settings every mode gives the embedded host it starts: a private data folder, quiet logs, request rates and
/// concurrency caps of the tier high enough that the api's own limits do not shape what is measured, then the
/// mode's own settings, then every <c>--set Section:Key=value</c> (so the command line has the last word).
/// </summary>
public static class HostSettings
{
    /// <summary>The tier of the users the modes create.</summary>
    public const string Tier = "pro";

    public static Dictionary<string, string?> For(
        LoadOptions options, string dataDirectory, IReadOnlyDictionary<string, string>? mode = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Storage:DataDirectory"] = dataDirectory,
            // Per-request log lines would measure the console, not the service.
            ["Serilog:MinimumLevel:Default"] = "Warning",
            ["Api:AnonymousRequestsPerMinute"] = "10000000",
            ["Api:AnonymousBurst"] = "10000000",
            [$"Api:Tiers:{Tier}:RequestsPerMinute"] = "10000000",
            [$"Api:Tiers:{Tier}:RequestsPerHour"] = "100000000",
            [$"Api:Tiers:{Tier}:Burst"] = "10000000",
            [$"Api:Tiers:{Tier}:MaxConcurrentExecutions"] = "100000",
        };
        foreach (var (key, value) in mode ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        foreach (var assignment in options.All("set"))
        {
            var equals = assignment.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new ArgumentException($"--set wants Section:Key=value, not '{assignment}'.");
            }

            settings[assignment[..equals]] = assignment[(equals + 1)..];
        }

        return settings;
    }

    /// <summary>The names (never the values) of the settings --set changed, for the report.</summary>
    public static System.Text.Json.Nodes.JsonArray Overridden(LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return [.. options.All("set").Select(s => (System.Text.Json.Nodes.JsonNode)s.Split('=', 2)[0])];
    }
}
