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
          WasmWizard.LoadGenerator overload [--module PATH] [--levels 1,2,4,8,16,32] [--step-duration 5]
              [--step-warmup 1] [--factor 4] [--duration 10] [--warmup 2] [--timeout 10] [--fast-ms 100]
              [--max-outstanding 2000] [--refused-backoff-ms 1] [--set Section:Key=value]...
              [--url BASE_URL (--api-key-file PATH | --api-key-env NAME)]
          WasmWizard.LoadGenerator runaway [--module PATH] [--repeat 5] [--limit-ms 5000] [--deadline-ms 5500]
              [--variants loop,sleep,start] [--timeout 30] [--set Section:Key=value]...
          WasmWizard.LoadGenerator memory [--host-dll PATH] [--concurrency 64] [--duration 20] [--warmup 5]
              [--hold-ms 2000] [--touch-kib 1024] [--sample-ms 100] [--limit-mb 400] [--timeout 30]
              [--refused-backoff-ms 1] [--set Section:Key=value]...
        Durations are in seconds unless the name says ms. --module defaults to the corpus' hello world
        ($WASMWIZARD_CORPUS, else ../shared/corpus). The report is JSON on stdout; progress and host logs go to stderr.
        """;

    private static readonly string[] Modes = ["url", "ratio", "overload", "runaway", "memory"];

    /// <summary>One of <c>url</c>, <c>ratio</c>, <c>overload</c>, <c>runaway</c>, <c>memory</c>.</summary>
    public string Mode { get; }

    public int Concurrency => Int("concurrency", Mode == "memory" ? 64 : 32);

    public TimeSpan Duration =>
        TimeSpan.FromSeconds(Double("duration", Mode switch { "overload" => 10, "memory" => 20, _ => 30 }));

    public TimeSpan Warmup => TimeSpan.FromSeconds(Double("warmup", Mode == "overload" ? 2 : 5));

    /// <summary>The client's timeout: a later answer counts as a timeout (10 s in overload, else 30 s).</summary>
    public TimeSpan Timeout => TimeSpan.FromSeconds(Double("timeout", Mode == "overload" ? 10 : 30));

    /// <summary>How long a refused client waits before trying again (milliseconds on the command line).</summary>
    public TimeSpan RefusedBackoff => TimeSpan.FromMilliseconds(Double("refused-backoff-ms", 1));

    public static LoadOptions Parse(string[] args)
    {
        if (args.Length == 0 || !Modes.Contains(args[0]))
        {
            throw new ArgumentException("Give a mode: " + string.Join(", ", Modes) + ".");
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

    /// <summary>A comma-separated list of positive whole numbers, or <paramref name="fallback"/>.</summary>
    public IReadOnlyList<int> Ints(string name, IReadOnlyList<int> fallback)
    {
        if (Single(name) is not { } text)
        {
            return fallback;
        }

        var values = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(v => int.Parse(v, CultureInfo.InvariantCulture))
            .ToList();
        return values.Count > 0 && values.All(v => v > 0)
            ? values
            : throw new ArgumentException($"--{name} wants positive whole numbers separated by commas.");
    }

    /// <summary>A comma-separated list of words, or <paramref name="fallback"/>.</summary>
    public IReadOnlyList<string> Words(string name, IReadOnlyList<string> fallback) =>
        Single(name) is { } text
            ? text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            : fallback;

    public string? Single(string name) => _values.TryGetValue(name, out var list) ? list[^1] : null;

    public string Required(string name) => Single(name) ?? throw new ArgumentException($"--{name} is required.");

    public IReadOnlyList<string> All(string name) => _values.TryGetValue(name, out var list) ? list : [];

    /// <summary>A positive whole number, or <paramref name="fallback"/> when not given.</summary>
    public int Int(string name, int fallback)
    {
        var value = Single(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
        return value > 0 ? value : throw new ArgumentException($"--{name} must be positive.");
    }

    /// <summary>A number that is not negative, or <paramref name="fallback"/> when not given.</summary>
    public double Double(string name, double fallback)
    {
        var value = Single(name) is { } text ? double.Parse(text, CultureInfo.InvariantCulture) : fallback;
        return value >= 0 ? value : throw new ArgumentException($"--{name} must not be negative.");
    }
}
