using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WasmWizard.Api;
using WasmWizard.Executor.Sandbox;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Execution;

namespace WasmWizard.LoadGenerator;

/// <summary>
/// The <c>ratio</c> mode: in one process, start the embedded host on 127.0.0.1, upload a module as a fresh user,
/// then measure the same module at the same concurrency three times: straight into the host's own SandboxService
/// (guest-thread hand-off included), end to end over HTTP, and against <see cref="HttpFloor"/> (HTTP with no work
/// behind it). Prints the three, the HTTP/in-process ratio and the most that ratio could be here.
/// </summary>
public static class RatioRun
{
    public static async Task<JsonObject> RunAsync(LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var modulePath = options.Required("module");
        var module = await File.ReadAllBytesAsync(modulePath).ConfigureAwait(false);
        var name = Path.GetFileName(modulePath);
        var data = Directory.CreateTempSubdirectory("ww-ratio-");
        try
        {
            using var host = new EmbeddedHost(HostSettings.For(options, data.FullName));
            var address = host.Start();
            using var http = HttpLoad.NewClient(options, address);
            var admin = await WizardApi.ReadAdminKeyAsync(data.FullName).ConfigureAwait(false);
            // One tenant by default, as in the first figures; with more, client i acts for tenant i mod N in both
            // phases, so fewer calls meet one tenant's share of the slots.
            var tenantCount = options.Int("tenants", 1);
            var tenants = new List<(string UserId, string Key, string ModuleId)>();
            for (var i = 0; i < tenantCount; i++)
            {
                var email = i == 0
                    ? "loadgen@example.com"
                    : string.Create(CultureInfo.InvariantCulture, $"loadgen-{i}@example.com");
                var (userId, key) = await WizardApi.CreateUserAsync(http, admin, email).ConfigureAwait(false);
                tenants.Add((userId, key, await WizardApi.UploadAsync(http, key, module, name).ConfigureAwait(false)));
            }

            // What the api resolves for a run that asks for nothing, so both phases run under the same limits.
            var api = host.Services.GetRequiredService<IOptions<ApiOptions>>().Value;
            var limits = TierRules.TryResolve(api, HostSettings.Tier, null, null, null, out _)!;
            var sandbox = host.Services.GetRequiredService<SandboxService>();
            var sha256 = Convert.ToHexStringLower(SHA256.HashData(module));
            var runs = tenants.Select(t => new RunRequest(sha256, null, name, [], [], [], limits, t.UserId)).ToArray();

            // One real answer, replayed by the HTTP floor below so that both send and receive the same bytes.
            var answer = await RecordAnswerAsync(http, tenants[0].Key, tenants[0].ModuleId).ConfigureAwait(false);

            Console.Error.WriteLine($"in-process: {options.Concurrency} callers, {Seconds(options)}");
            var inProcess = await ClosedLoop.RunAsync(
                options.Concurrency, options.Warmup, options.Duration, options.RefusedBackoff,
                client => RunInProcessAsync(sandbox, runs[client % runs.Length])).ConfigureAwait(false);

            Console.Error.WriteLine($"http: {options.Concurrency} clients, {Seconds(options)}");
            var overHttp = await ClosedLoop.RunAsync(
                options.Concurrency, options.Warmup, options.Duration, options.RefusedBackoff,
                client =>
                {
                    var (_, key, moduleId) = tenants[client % tenants.Count];
                    return HttpLoad.SendAndDisposeAsync(http, WizardApi.ExecuteRequest(moduleId, key));
                })
                .ConfigureAwait(false);

            Console.Error.WriteLine($"http floor: {options.Concurrency} clients, {Seconds(options)}");
            LoadReport floor;
            await using (var floorServer = await HttpFloor.StartAsync(answer.Status, answer.Body).ConfigureAwait(false))
            {
                using var floorClient = HttpLoad.NewClient(options, floorServer.Address);
                floor = await ClosedLoop.RunAsync(
                    options.Concurrency, options.Warmup, options.Duration, options.RefusedBackoff,
                    client =>
                    {
                        var (_, key, moduleId) = tenants[client % tenants.Count];
                        return HttpLoad.SendAndDisposeAsync(floorClient, WizardApi.ExecuteRequest(moduleId, key));
                    })
                    .ConfigureAwait(false);
            }

            return new JsonObject
            {
                ["mode"] = "ratio",
                ["module"] = name,
                ["module_bytes"] = module.Length,
                ["concurrency"] = options.Concurrency,
                ["tenants"] = tenants.Count,
                ["settings_overridden"] = HostSettings.Overridden(options),
                ["cpu_of"] = ProcessMeter.HostAndClients,
                ["in_process"] = Json.ToNode(inProcess),
                ["http"] = Json.ToNode(overHttp),
                ["http_to_in_process_ratio"] = inProcess.OkPerSecond > 0
                    ? Math.Round(overHttp.OkPerSecond / inProcess.OkPerSecond, 3)
                    : null,
                ["http_p99_ms"] = overHttp.Latency.P99,
                ["http_p99_ok_ms"] = overHttp.OkLatency.P99,
                ["http_floor"] = Json.ToNode(floor),
                ["floor_to_in_process_ratio"] = inProcess.OkPerSecond > 0
                    ? Math.Round(floor.OkPerSecond / inProcess.OkPerSecond, 3)
                    : null,
                // A request that cost the floor's HTTP work plus one run, both on the same cores, takes the time of
                // one floor answer plus one in-process run: the most the HTTP ratio could reach on this machine.
                ["http_ceiling_ratio"] = floor.OkPerSecond > 0 && inProcess.OkPerSecond > 0
                    ? Math.Round(floor.OkPerSecond / (floor.OkPerSecond + inProcess.OkPerSecond), 3)
                    : null,
            };
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    // Whatever the answer: a module that exits non-zero is answered 422, and the floor answers the same.
    private static async Task<(int Status, byte[] Body)> RecordAnswerAsync(HttpClient http, string key, string moduleId)
    {
        using var request = WizardApi.ExecuteRequest(moduleId, key);
        using var response = await http.SendAsync(request).ConfigureAwait(false);
        return ((int)response.StatusCode, await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false));
    }

    private static async Task<Outcome> RunInProcessAsync(SandboxService sandbox, RunRequest run)
    {
        try
        {
            var result = await sandbox.RunAsync(run, CancellationToken.None).ConfigureAwait(false);
            return new Outcome(
                result.Outcome, result.Outcome == ExecutionOutcome.Exited && result.ExitCode == 0, Refused: false);
        }
        catch (ExecutorBusyException)
        {
            // What the api turns into a 503 with Retry-After: a refusal, not an error.
            return new Outcome("busy", Ok: false, Refused: true);
        }
    }

    private static string Seconds(LoadOptions options) => string.Create(
        CultureInfo.InvariantCulture, $"{options.Warmup.TotalSeconds} s warm-up, {options.Duration.TotalSeconds} s");
}
