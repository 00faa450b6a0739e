using System.Globalization;
using System.Text.Json.Nodes;

namespace WasmWizard.LoadGenerator;

/// <summary>
/// The <c>memory</c> mode: the embedded host as a child process with 64 guest slots; a module that writes to every
/// 4 KiB page of 1 MiB of its memory and then sleeps (so runs overlap); 64 closed-loop clients. Reports the host's
/// resident memory idle, at its peak and steady (the median over the measured window), and how many runs were
/// active at once according to the host's own gauge. Memory is in MB of 1,000,000 bytes.
/// </summary>
public static class MemoryRun
{
    public const string Target = "Steady memory of the embedded host during 64 concurrent runs of a module that "
        + "touches 1 MiB stays under 400 MB.";

    private const double Megabyte = 1_000_000;

    public static async Task<JsonObject> RunAsync(LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var hostDll = Path.GetFullPath(
            options.Single("host-dll") ?? Path.Combine(AppContext.BaseDirectory, "WasmWizard.Standalone.dll"));
        if (!File.Exists(hostDll))
        {
            throw new ArgumentException($"The host {hostDll} does not exist: build it, or give --host-dll.");
        }

        var concurrency = options.Concurrency;
        var touchKib = options.Int("touch-kib", 1024);
        var holdMs = options.Int("hold-ms", 2000);
        var limitMb = options.Double("limit-mb", 400);
        var sampleEvery = TimeSpan.FromMilliseconds(options.Int("sample-ms", 100));
        var data = Directory.CreateTempSubdirectory("ww-memory-");
        try
        {
            var slots = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["Sandbox:MaxConcurrentRuns"] = concurrency.ToString(CultureInfo.InvariantCulture),
            };
            var settings = HostSettings.For(options, data.FullName, slots);
            using var host = await HostProcess.StartAsync(hostDll, data.FullName, settings, TimeSpan.FromSeconds(60))
                .ConfigureAwait(false);
            using var http = HttpLoad.NewClient(concurrency, options.Timeout, host.Address);
            using var scrapes = HttpLoad.NewClient(1, TimeSpan.FromSeconds(5), host.Address);
            var tenants = await SetUpTenantsAsync(http, data.FullName, settings, concurrency, touchKib, holdMs)
                .ConfigureAwait(false);

            Console.Error.WriteLine("memory: idle, 2 s");
            var idle = new HostSampler(host, scrapes, sampleEvery);
            idle.Start();
            await Task.Delay(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            await idle.StopAsync().ConfigureAwait(false);

            Console.Error.WriteLine(
                $"memory: {concurrency} clients, {options.Warmup.TotalSeconds} s warm-up, {options.Duration.TotalSeconds} s");
            var loaded = new HostSampler(host, scrapes, sampleEvery);
            loaded.Start();
            var load = await ClosedLoop.RunAsync(
                concurrency, options.Warmup, options.Duration, options.RefusedBackoff, client =>
                {
                    var (key, moduleId) = tenants[client % tenants.Count];
                    return HttpLoad.SendAndDisposeAsync(http, WizardApi.ExecuteRequest(moduleId, key));
                }).ConfigureAwait(false);
            await loaded.StopAsync().ConfigureAwait(false);

            var from = options.Warmup.TotalMilliseconds;
            var to = from + options.Duration.TotalMilliseconds;
            var steady = Median(loaded.Rss.Where(s => s.Ms >= from && s.Ms <= to).Select(s => (double)s.Bytes));
            var runs = loaded.Runs.Where(s => s.Ms >= from && s.Ms <= to).Select(s => s.Runs).ToList();
            var checks = new JsonObject
            {
                ["steady_rss_under_limit"] = steady is { } value && value / Megabyte < limitMb,
                [$"reached_{concurrency}_concurrent_runs"] = runs.Count > 0 && runs.Max() >= concurrency,
            };
            return new JsonObject
            {
                ["mode"] = "memory",
                ["cpu_of"] = ProcessMeter.ClientsOnly,
                ["target"] = Target,
                ["host_dll"] = Path.GetFileName(hostDll),
                ["host_pid"] = host.Id,
                ["settings_overridden"] = HostSettings.Overridden(options),
                ["max_concurrent_runs"] = settings["Sandbox:MaxConcurrentRuns"],
                ["tenants"] = tenants.Count,
                ["touch_kib"] = touchKib,
                ["hold_ms"] = holdMs,
                ["limit_mb"] = limitMb,
                ["idle_rss_mb"] = Mb(Median(idle.Rss.Select(s => (double)s.Bytes))),
                ["peak_rss_mb"] = Mb(loaded.Rss.Count > 0 ? loaded.Rss.Max(s => s.Bytes) : null),
                ["steady_rss_mb"] = Mb(steady),
                ["vm_hwm_mb"] = Mb(host.StatusBytes("VmHWM")),
                ["rss_samples"] = loaded.Rss.Count,
                ["runs_active_max"] = runs.Count > 0 ? runs.Max() : null,
                ["runs_active_median"] = Median(runs),
                ["runs_active_samples"] = runs.Count,
                ["load"] = Json.ToNode(load),
                ["checks"] = checks,
                ["met"] = checks.All(c => c.Value!.GetValue<bool>()),
            };
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Users enough that their shares cover every slot (one tenant may hold all slots but one), each with the
    /// toucher uploaded and run once, so the measured runs find it compiled and cached.
    /// </summary>
    private static async Task<List<(string Key, string ModuleId)>> SetUpTenantsAsync(
        HttpClient http,
        string dataDirectory,
        IReadOnlyDictionary<string, string?> settings,
        int concurrency,
        int touchKib,
        int holdMs)
    {
        var slots = int.Parse(settings["Sandbox:MaxConcurrentRuns"]!, CultureInfo.InvariantCulture);
        var share = Math.Max(1, slots - 1);
        var module = GuestModules.Toucher(touchKib, holdMs);
        var admin = await WizardApi.ReadAdminKeyAsync(dataDirectory).ConfigureAwait(false);
        var tenants = new List<(string Key, string ModuleId)>();
        for (var i = 0; i < (concurrency + share - 1) / share; i++)
        {
            var email = string.Create(CultureInfo.InvariantCulture, $"memory-{i}@example.com");
            var (_, key) = await WizardApi.CreateUserAsync(http, admin, email).ConfigureAwait(false);
            var moduleId = await WizardApi.UploadAsync(http, key, module, "toucher.wasm").ConfigureAwait(false);
            var first = await TimedAnswer.OfAsync(http, WizardApi.ExecuteRequest(moduleId, key)).ConfigureAwait(false);
            if (!first.Succeeded)
            {
                throw new InvalidOperationException(
                    $"The memory-touching module did not run: {first.Status} {first.Outcome ?? first.Code}.");
            }

            tenants.Add((key, moduleId));
        }

        return tenants;
    }

    private static double? Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? null : sorted[sorted.Length / 2];
    }

    private static double? Mb(double? bytes) => bytes is { } b ? Math.Round(b / Megabyte, 1) : null;
}
