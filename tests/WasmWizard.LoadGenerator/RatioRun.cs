using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
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
    private const string Tier = "pro";

    public static async Task<JsonObject> RunAsync(LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var modulePath = options.Required("module");
        var module = await File.ReadAllBytesAsync(modulePath).ConfigureAwait(false);
        var name = Path.GetFileName(modulePath);
        var data = Directory.CreateTempSubdirectory("ww-ratio-");
        try
        {
            using var host = new EmbeddedHost(HostSettings(options, data.FullName));
            var address = host.Start();
            using var http = HttpLoad.NewClient(options, address);
            var (userId, key) = await CreateUserAsync(http, data.FullName).ConfigureAwait(false);
            var moduleId = await UploadAsync(http, key, module, name).ConfigureAwait(false);

            // What the api resolves for a run that asks for nothing, so both phases run under the same limits.
            var api = host.Services.GetRequiredService<IOptions<ApiOptions>>().Value;
            var limits = TierRules.TryResolve(api, Tier, null, null, null, out _)!;
            var sandbox = host.Services.GetRequiredService<SandboxService>();
            var run = new RunRequest(
                Convert.ToHexStringLower(SHA256.HashData(module)), null, name, [], [], [], limits, userId);

            Console.Error.WriteLine($"in-process: {options.Concurrency} callers, {Seconds(options)}");
            var inProcess = await ClosedLoop.RunAsync(
                options.Concurrency, options.Warmup, options.Duration, options.RefusedBackoff,
                () => RunInProcessAsync(sandbox, run)).ConfigureAwait(false);

            Console.Error.WriteLine($"http: {options.Concurrency} clients, {Seconds(options)}");
            var path = $"/api/wasm/modules/{moduleId}/execute";
            var overHttp = await ClosedLoop.RunAsync(
                options.Concurrency, options.Warmup, options.Duration, options.RefusedBackoff, () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Post, path)
                {
                    Content = new StringContent("{}", Encoding.UTF8, "application/json"),
                };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
                return SendAndDisposeAsync(http, request);
            }).ConfigureAwait(false);

            return new JsonObject
            {
                ["mode"] = "ratio",
                ["module"] = name,
                ["module_bytes"] = module.Length,
                ["concurrency"] = options.Concurrency,
                ["settings_overridden"] = new JsonArray([.. options.All("set").Select(s => (JsonNode)s.Split('=', 2)[0])]),
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

    private static async Task<Outcome> SendAndDisposeAsync(HttpClient http, HttpRequestMessage request)
    {
        using (request)
        {
            return await HttpLoad.SendAsync(http, request).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The host's settings: a private data folder, quiet logs, request rates and concurrency caps of the tier high
    /// enough that the api's own limits do not shape what is measured, then every --set Key=value.
    /// </summary>
    private static Dictionary<string, string?> HostSettings(LoadOptions options, string dataDirectory)
    {
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

    private static async Task<(string UserId, string Key)> CreateUserAsync(HttpClient http, string dataDirectory)
    {
        var admin = (await File.ReadAllTextAsync(Path.Combine(dataDirectory, "admin-api-key")).ConfigureAwait(false)).Trim();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/admin/users")
        {
            Content = JsonContent.Create(new { email = "loadgen@example.com", tier = Tier }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
        var created = await SendForJsonAsync(http, request, "creating the user").ConfigureAwait(false);
        var userId = Guid.Parse(created.GetProperty("id").GetString()!).ToString();
        return (userId, created.GetProperty("api_key").GetString()!);
    }

    private static async Task<string> UploadAsync(HttpClient http, string key, byte[] module, string name)
    {
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(module), "wasm", name },
            { new StringContent(name), "name" },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/wasm/upload") { Content = form };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var uploaded = await SendForJsonAsync(http, request, "uploading the module").ConfigureAwait(false);
        return uploaded.GetProperty("id").GetString()!;
    }

    // Only the status goes into the message: the answers hold keys.
    private static async Task<JsonElement> SendForJsonAsync(HttpClient http, HttpRequestMessage request, string what)
    {
        using var response = await http.SendAsync(request).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The host answered {(int)response.StatusCode} when {what}.");
        }

        return await response.Content.ReadFromJsonAsync<JsonElement>().ConfigureAwait(false);
    }

    private static string Seconds(LoadOptions options) => string.Create(
        CultureInfo.InvariantCulture, $"{options.Warmup.TotalSeconds} s warm-up, {options.Duration.TotalSeconds} s");
}
