using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace WasmWizard.LoadGenerator;

/// <summary>
/// The <c>overload</c> mode. Finds the peak: closed-loop steps at rising concurrency, each giving successful runs
/// per second; the peak is the best step, and the saturating level the lowest concurrency within 5 % of it. Then
/// offers <c>--factor</c> (4) times the peak rate as an open loop for a fixed window, and checks the target
/// on what came back: throughput against the peak, and every refusal a fast 429/503 with <c>Retry-After</c>.
/// </summary>
public static class OverloadRun
{
    public const string Target = "At 4x the load that saturates the executor, throughput stays at least 80 % of the "
        + "peak, and every refused request is a fast 429/503 with Retry-After: no 5xx, no timeouts.";

    private const double SaturationShare = 0.95;

    private static readonly int[] DefaultLevels = [1, 2, 4, 8, 16, 32];

    // The request summary logs every 503 at Error; thousands of console lines a second would measure the console.
    private static readonly Dictionary<string, string> QuietRefusals = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Serilog:MinimumLevel:Override:Serilog.AspNetCore.RequestLoggingMiddleware"] = "Fatal",
    };

    public static async Task<JsonObject> RunAsync(LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (module, name) = await ModuleSource.LoadAsync(options).ConfigureAwait(false);
        if (options.Single("url") is { } url)
        {
            var key = HttpLoad.ReadApiKey(options)
                ?? throw new ArgumentException(
                    "--url needs --api-key-file or --api-key-env (a key that may upload and execute).");
            var address = new Uri(url);
            var moduleId = await UploadAsync(options, address, key, module, name).ConfigureAwait(false);
            return await MeasureAsync(options, address, [(key, moduleId)], name, "url").ConfigureAwait(false);
        }

        var data = Directory.CreateTempSubdirectory("ww-overload-");
        try
        {
            using var host = new EmbeddedHost(HostSettings.For(options, data.FullName, QuietRefusals));
            var address = host.Start();
            var admin = await WizardApi.ReadAdminKeyAsync(data.FullName).ConfigureAwait(false);
            var tenants = new List<(string Key, string ModuleId)>();
            using (var setup = HttpLoad.NewClient(1, options.Timeout, address))
            {
                for (var i = 0; i < options.Int("tenants", 4); i++)
                {
                    var email = string.Create(CultureInfo.InvariantCulture, $"overload-{i}@example.com");
                    var (_, key) = await WizardApi.CreateUserAsync(setup, admin, email).ConfigureAwait(false);
                    tenants.Add((key, await WizardApi.UploadAsync(setup, key, module, name).ConfigureAwait(false)));
                }
            }

            return await MeasureAsync(options, address, tenants, name, "embedded").ConfigureAwait(false);
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    private static async Task<string> UploadAsync(
        LoadOptions options, Uri address, string key, byte[] module, string name)
    {
        using var setup = HttpLoad.NewClient(1, options.Timeout, address);
        return await WizardApi.UploadAsync(setup, key, module, name).ConfigureAwait(false);
    }

    private static async Task<JsonObject> MeasureAsync(
        LoadOptions options,
        Uri address,
        IReadOnlyList<(string Key, string ModuleId)> tenants,
        string name,
        string host)
    {
        HttpRequestMessage Execute(long i)
        {
            var (key, moduleId) = tenants[(int)(i % tenants.Count)];
            return WizardApi.ExecuteRequest(moduleId, key);
        }

        var levels = options.Ints("levels", DefaultLevels);
        var stepWarmup = TimeSpan.FromSeconds(options.Double("step-warmup", 1));
        var stepDuration = TimeSpan.FromSeconds(options.Double("step-duration", 5));
        var steps = new List<LoadReport>();
        using (var closed = HttpLoad.NewClient(levels.Max(), options.Timeout, address))
        {
            foreach (var level in levels)
            {
                Console.Error.WriteLine($"overload: peak search, {level} clients, {stepDuration.TotalSeconds} s");
                steps.Add(await ClosedLoop.RunAsync(
                    level, stepWarmup, stepDuration, options.RefusedBackoff,
                    client => HttpLoad.SendAndDisposeAsync(closed, Execute(client))).ConfigureAwait(false));
            }
        }

        var peak = steps.Max(s => s.OkPerSecond);
        var report = new JsonObject
        {
            ["mode"] = "overload",
            ["target"] = Target,
            ["host"] = host,
            ["module"] = name,
            ["tenants"] = tenants.Count,
            ["settings_overridden"] = HostSettings.Overridden(options),
            ["cpu_of"] = host == "embedded" ? ProcessMeter.HostAndClients : ProcessMeter.ClientsOnly,
            ["peak_search"] = new JsonArray([.. steps.Select(s => Json.ToNode(s))]),
            ["peak_ok_per_s"] = peak,
        };
        if (peak <= 0)
        {
            report["error"] = "No run succeeded in the peak search, so there is no peak to overload.";
            report["met"] = false;
            return report;
        }

        report["saturating_concurrency"] = steps.First(s => s.OkPerSecond >= SaturationShare * peak).Concurrency;
        var factor = options.Double("factor", 4);
        var rate = factor * peak;
        var maxOutstanding = options.Int("max-outstanding", 2000);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"overload: open loop at {rate:F0}/s ({factor} x {peak}), {options.Warmup.TotalSeconds} s warm-up, "
            + $"{options.Duration.TotalSeconds} s"));
        IReadOnlyList<OpenSample> samples;
        ProcessWindow windowCpu;
        using (var open = HttpLoad.NewClient(maxOutstanding, options.Timeout, address))
        {
            long sent = -1;
            var cpu = ProcessMeter.MeasureAsync(Stopwatch.StartNew(), options.Warmup, options.Warmup + options.Duration);
            samples = await OpenLoop.RunAsync(
                rate, options.Warmup + options.Duration, maxOutstanding,
                () => AnswerAsync(open, Execute(Interlocked.Increment(ref sent)))).ConfigureAwait(false);
            windowCpu = await cpu.ConfigureAwait(false);
        }

        var overload = OverloadSummary.From(samples, options.Warmup, options.Duration, rate, peak, windowCpu);
        var fastMs = options.Double("fast-ms", 100);
        var checks = OverloadChecks.Of(overload, rate, fastMs);
        report["factor"] = factor;
        report["fast_ms"] = fastMs;
        report["timeout_s"] = options.Timeout.TotalSeconds;
        report["max_outstanding"] = maxOutstanding;
        report["overload"] = Json.ToNode(overload);
        report["checks"] = Json.ToNode(checks);
        report["met"] = checks.Met;
        return report;
    }

    private static async Task<Answer> AnswerAsync(HttpClient http, HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await http.SendAsync(request).ConfigureAwait(false);
            _ = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            return new Answer((int)response.StatusCode, response.Headers.RetryAfter is not null);
        }
    }
}
