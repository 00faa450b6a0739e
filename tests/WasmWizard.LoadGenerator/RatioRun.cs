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
/// then measure the same module at the same concurrency twice: straight into the host's own SandboxService
/// (guest-thread hand-off included), then end to end over HTTP. Prints both and the HTTP/in-process ratio.
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

            return new JsonObject
            {
                ["mode"] = "ratio",
                ["module"] = name,
                ["module_bytes"] = module.Length,
                ["concurrency"] = options.Concurrency,
                ["tenants"] = tenants.Count,
                ["settings_overridden"] = HostSettings.Overridden(options),
                ["in_process"] = Json.ToNode(inProcess),
                ["http"] = Json.ToNode(overHttp),
                ["http_to_in_process_ratio"] = inProcess.OkPerSecond > 0
                    ? Math.Round(overHttp.OkPerSecond / inProcess.OkPerSecond, 3)
                    : null,
                ["http_p99_ms"] = overHttp.Latency.P99,
            };
        }
        finally
        {
            data.Delete(recursive: true);
        }
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
