using System.Globalization;
using System.Text.Json.Nodes;

namespace WasmWizard.LoadGenerator;

/// <summary>
/// The <c>runaway</c> mode: an embedded host with a single guest slot; a module that never ends is run with a
/// 5 s limit over HTTP, and the moment its answer arrives the same user runs hello world, which must succeed, not
/// be refused as busy. Repeated per variant: a loop in <c>_start</c>, a sleep in WASI <c>poll_oneoff</c>, a loop
/// in the start function.
/// </summary>
public static class RunawayRun
{
    public const string Target =
        "A runaway module with a 5 s limit is stopped within 5.5 s and its slot is free again at once.";

    private static readonly string[] AllVariants = ["loop", "sleep", "start"];

    public static async Task<JsonObject> RunAsync(LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var variants = options.Words("variants", AllVariants);
        if (variants.FirstOrDefault(v => !AllVariants.Contains(v)) is { } unknown)
        {
            throw new ArgumentException($"--variants knows {string.Join(", ", AllVariants)}, not '{unknown}'.");
        }

        var (hello, helloName) = await ModuleSource.LoadAsync(options).ConfigureAwait(false);
        var repeat = options.Int("repeat", 5);
        var limitMs = options.Int("limit-ms", 5000);
        var deadlineMs = options.Double("deadline-ms", 5500);
        var data = Directory.CreateTempSubdirectory("ww-runaway-");
        try
        {
            // One slot: a follow-up that finds it still taken is refused at once, which is what the check looks for.
            var oneSlot = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["Sandbox:MaxConcurrentRuns"] = "1",
            };
            var settings = HostSettings.For(options, data.FullName, oneSlot);
            using var host = new EmbeddedHost(settings);
            var address = host.Start();
            using var http = HttpLoad.NewClient(1, options.Timeout, address);
            var admin = await WizardApi.ReadAdminKeyAsync(data.FullName).ConfigureAwait(false);
            var (_, key) = await WizardApi.CreateUserAsync(http, admin, "runaway@example.com").ConfigureAwait(false);
            var helloId = await WizardApi.UploadAsync(http, key, hello, helloName).ConfigureAwait(false);
            // The first run of a module is not what a follow-up measures.
            _ = await TimedAnswer.OfAsync(http, WizardApi.ExecuteRequest(helloId, key)).ConfigureAwait(false);

            var body = string.Create(CultureInfo.InvariantCulture, $$"""{"timeout_ms":{{limitMs}}}""");
            var results = new JsonObject();
            var met = variants.Contains("loop");
            foreach (var variant in variants)
            {
                var (result, variantMet) = await VariantAsync(
                    http, key, variant, body, helloId, repeat, deadlineMs).ConfigureAwait(false);
                results[variant] = result;
                met &= variantMet;
            }

            return new JsonObject
            {
                ["mode"] = "runaway",
                ["target"] = Target,
                ["module"] = helloName,
                ["max_concurrent_runs"] = settings["Sandbox:MaxConcurrentRuns"],
                ["settings_overridden"] = HostSettings.Overridden(options),
                ["limit_ms"] = limitMs,
                ["deadline_ms"] = deadlineMs,
                ["repeat"] = repeat,
                ["variants"] = results,
                ["met"] = met,
            };
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    private static async Task<(JsonObject Result, bool Met)> VariantAsync(
        HttpClient http, string key, string variant, string body, string helloId, int repeat, double deadlineMs)
    {
        var module = variant switch
        {
            "loop" => GuestModules.Loop,
            "sleep" => GuestModules.Sleep,
            _ => GuestModules.StartLoop,
        };
        var (moduleId, status, code) = await WizardApi.TryUploadAsync(
            http, key, module, $"runaway-{variant}.wasm").ConfigureAwait(false);
        if (moduleId is null)
        {
            // A module the service refuses cannot run away; say so rather than count it as met or failed.
            return (new JsonObject { ["uploaded"] = false, ["upload_status"] = status, ["upload_code"] = code }, true);
        }

        var runs = new List<(TimedAnswer Runaway, TimedAnswer FollowUp)>();
        for (var i = 0; i < repeat; i++)
        {
            Console.Error.WriteLine($"runaway: {variant}, {i + 1} of {repeat}");
            var runaway = await TimedAnswer.OfAsync(http, WizardApi.ExecuteRequest(moduleId, key, body))
                .ConfigureAwait(false);
            var followUp = await TimedAnswer.OfAsync(http, WizardApi.ExecuteRequest(helloId, key))
                .ConfigureAwait(false);
            runs.Add((runaway, followUp));
        }

        var checks = new JsonObject
        {
            ["every_run_timed_out"] = runs.All(r => r.Runaway.Outcome == "timeout"),
            ["every_answer_within_deadline"] = runs.All(r => r.Runaway.Milliseconds <= deadlineMs),
            ["every_follow_up_succeeded"] = runs.All(r => r.FollowUp.Succeeded),
        };
        var met = checks.All(c => c.Value!.GetValue<bool>());
        return (new JsonObject
        {
            ["uploaded"] = true,
            ["max_answer_ms"] = runs.Max(r => r.Runaway.Milliseconds),
            ["max_follow_up_ms"] = runs.Max(r => r.FollowUp.Milliseconds),
            ["runs"] = new JsonArray([.. runs.Select(r => new JsonObject
            {
                ["runaway"] = Json.ToNode(r.Runaway),
                ["follow_up"] = Json.ToNode(r.FollowUp),
            })]),
            ["checks"] = checks,
            ["met"] = met,
        }, met);
    }
}
