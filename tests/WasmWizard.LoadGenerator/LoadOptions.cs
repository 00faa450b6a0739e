using System.Globalization;

namespace WasmWizard.LoadGenerator;

/// <summary>The command line: a mode, then <c>--name value</c> pairs (some repeatable).</summary>
public sealed class LoadOptions
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

    private LoadOptions(string mode) => Mode = mode;

    public const string Usage = """
        usage:
          WasmWizard.LoadGenerator url --url URL [--method POST] [--body TEXT | --body-file PATH]
              [--header 'Name: value']... [--api-key-file PATH | --api-key-env NAME]
              [--concurrency 32] [--duration 30] [--warmup 5] [--timeout 30] [--refused-backoff-ms 1]
          WasmWizard.LoadGenerator ratio --module PATH [--concurrency 32] [--duration 30] [--warmup 5]
              [--timeout 30] [--refused-backoff-ms 1] [--set Section:Key=value]...
        Durations are in seconds. The report is JSON on stdout; progress and host logs go to stderr.
        """;

    /// <summary><c>url</c> or <c>ratio</c>.</summary>
    public string Mode { get; }

    public int Concurrency => Int("concurrency", 32);

    public TimeSpan Duration => TimeSpan.FromSeconds(Double("duration", 30));

    public TimeSpan Warmup => TimeSpan.FromSeconds(Double("warmup", 5));

    public TimeSpan Timeout => TimeSpan.FromSeconds(Double("timeout", 30));

    /// <summary>How long a refused client waits before trying again (milliseconds on the command line).</summary>
    public TimeSpan RefusedBackoff => TimeSpan.FromMilliseconds(Double("refused-backoff-ms", 1));

    public static LoadOptions Parse(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("url" or "ratio"))
        {
            throw new ArgumentException("Give a mode: url or ratio.");
        }

        var options = new LoadOptions(args[0]);
        for (var i = 1; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"Expected --name value at '{args[i]}'.");
            }

            var name = args[i][2..];
            if (!options._values.TryGetValue(name, out var list))
            {
                options._values[name] = list = [];
            }

            list.Add(args[i + 1]);
        }

        return options;
    }

    public string? Single(string name) => _values.TryGetValue(name, out var list) ? list[^1] : null;

    public string Required(string name) => Single(name) ?? throw new ArgumentException($"--{name} is required.");

    public IReadOnlyList<string> All(string name) => _values.TryGetValue(name, out var list) ? list : [];

    private int Int(string name, int fallback)
    {
        var value = Single(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
        return value > 0 ? value : throw new ArgumentException($"--{name} must be positive.");
    }

    private double Double(string name, double fallback)
    {
        var value = Single(name) is { } text ? double.Parse(text, CultureInfo.InvariantCulture) : fallback;
        return value >= 0 ? value : throw new ArgumentException($"--{name} must not be negative.");
    }
}
