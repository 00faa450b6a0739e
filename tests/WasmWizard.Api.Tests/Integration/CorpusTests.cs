using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using WasmWizard.Api.Tests.Infrastructure;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Api.Tests.Integration;

/// <summary>
/// Every case of the team's corpus of real WASI modules, through the HTTP API of the embedded host: upload the
/// module under its argv[0], run it by id with the case's args, env and stdin, and judge the result by the
/// manifest's <c>expect</c> rules (or any of its <c>also_acceptable</c> alternatives).
/// </summary>
public sealed class CorpusTests : IClassFixture<CorpusTests.App>
{
    private const string Absent = "(corpus absent: set WASMWIZARD_CORPUS or put it at ../shared/corpus)";

    private readonly App _app;

    public CorpusTests(App app) => _app = app;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static TheoryData<string> Cases => CorpusLocation.Directory is null
        ? [Absent]
        : [.. Manifest().Select(c => c.GetProperty("name").GetString()!)];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Case_RunThroughHttp_MeetsExpectation(string name)
    {
        if (name == Absent)
        {
            Assert.Skip(CorpusLocation.MissingReason);
        }

        var spec = Manifest().Single(c => c.GetProperty("name").GetString() == name);
        var expect = spec.GetProperty("expect");
        var user = await _app.UserAsync();
        var argv0 = spec.GetProperty("argv0").GetString()!;
        var wasm = await File.ReadAllBytesAsync(Path.Combine(CorpusLocation.Directory!, spec.GetProperty("file").GetString()!), Token);

        using var form = ApiCalls.ModuleForm(wasm, argv0, ("name", argv0));
        var upload = await user.Client.PostAsync("/api/wasm/upload", form, Token);
        if (expect.GetProperty("outcome").GetString() == "error")
        {
            // The service must refuse the module cleanly (a 4xx naming why), not crash and not run it.
            Assert.True(upload.StatusCode == HttpStatusCode.BadRequest, await ApiCalls.Describe(upload));
            Assert.Equal("application/problem+json", upload.Content.Headers.ContentType?.MediaType);
            return;
        }

        Assert.True(upload.StatusCode == HttpStatusCode.Created, await ApiCalls.Describe(upload));
        var moduleId = (await ApiCalls.BodyAsync(upload)).GetProperty("id").GetString();
        var response = await user.Client.PostAsync(
            $"/api/wasm/modules/{moduleId}/execute",
            new StringContent(RunBody(spec).ToJsonString(), Encoding.UTF8, "application/json"),
            Token);
        Assert.True(
            response.StatusCode is HttpStatusCode.OK or HttpStatusCode.UnprocessableEntity, await ApiCalls.Describe(response));
        var result = await ApiCalls.BodyAsync(response);

        var alternatives = new List<JsonElement> { expect };
        if (expect.TryGetProperty("also_acceptable", out var more))
        {
            alternatives.AddRange(more.EnumerateArray());
        }

        var verdicts = alternatives.Select(e => Judge(e, result)).ToList();
        Assert.True(
            verdicts.Any(v => v is null),
            $"{name}: {string.Join(" | ", verdicts)}\nresult: {result}");
    }

    private static JsonObject RunBody(JsonElement spec)
    {
        var limits = spec.TryGetProperty("limits", out var l) ? l : default;
        var env = new JsonObject();
        foreach (var variable in spec.GetProperty("env").EnumerateObject())
        {
            env[variable.Name] = variable.Value.GetString();
        }

        var body = new JsonObject
        {
            ["args"] = new JsonArray([.. spec.GetProperty("args").EnumerateArray().Select(a => (JsonNode?)a.GetString())]),
            ["env"] = env,
            // Cases without limits hold for anything at least as generous as 10 s and 512 MiB.
            ["timeout_ms"] = limits.ValueKind == JsonValueKind.Object && limits.TryGetProperty("timeout_s", out var t)
                ? (int)(t.GetDouble() * 1000) : 10_000,
            ["memory_limit_mb"] = limits.ValueKind == JsonValueKind.Object && limits.TryGetProperty("memory_mb", out var m)
                ? m.GetInt32() : 512,
        };
        if (spec.GetProperty("stdin").GetString() is { } stdin)
        {
            body["input_base64"] = Convert.ToBase64String(File.ReadAllBytes(Path.Combine(CorpusLocation.Directory!, stdin)));
        }

        return body;
    }

    /// <summary>Null when <paramref name="result"/> meets <paramref name="expect"/>, else what differs.</summary>
    private static string? Judge(JsonElement expect, JsonElement result)
    {
        var problems = new List<string>();
        var outcome = result.GetProperty("outcome").GetString();
        var wanted = expect.GetProperty("outcome").GetString() switch
        {
            "exit" => "exited",
            "trap" => "trapped",
            "timeout" => "timeout",
            "memory_limit" or "memory-limit" => "memory_limit",
            var other => other,
        };
        if (outcome != wanted)
        {
            problems.Add($"outcome {outcome}, expected {wanted}");
        }

        if (expect.TryGetProperty("exit_code", out var code) && result.GetProperty("exit_code") is var actual
            && (actual.ValueKind != JsonValueKind.Number || actual.GetInt32() != code.GetInt32()))
        {
            problems.Add($"exit code {actual}, expected {code}");
        }

        var stdout = Stream(result, "output", "output_encoding");
        var stderr = Stream(result, "stderr", "stderr_encoding");
        CheckStream(expect, "stdout", stdout, problems);
        CheckStream(expect, "stderr", stderr, problems);

        if (expect.TryGetProperty("stdout_file", out var file))
        {
            var expected = File.ReadAllBytes(Path.Combine(CorpusLocation.Directory!, file.GetString()!));
            if (!expected.AsSpan().SequenceEqual(stdout))
            {
                problems.Add($"stdout differs from {file.GetString()} ({stdout.Length} vs {expected.Length} bytes)");
            }
        }

        if (expect.TryGetProperty("stdout_sha256", out var sha) && Convert.ToHexStringLower(SHA256.HashData(stdout)) != sha.GetString())
        {
            problems.Add("stdout SHA-256 differs");
        }

        if (expect.TryGetProperty("stdout_bytes", out var length) && stdout.Length != length.GetInt32())
        {
            problems.Add($"stdout is {stdout.Length} bytes, expected {length.GetInt32()}");
        }

        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    private static void CheckStream(JsonElement expect, string stream, byte[] actual, List<string> problems)
    {
        var text = Encoding.UTF8.GetString(actual);
        if (expect.TryGetProperty(stream, out var exact) && !Encoding.UTF8.GetBytes(exact.GetString()!).AsSpan().SequenceEqual(actual))
        {
            problems.Add($"{stream} {JsonSerializer.Serialize(text)}, expected {JsonSerializer.Serialize(exact.GetString())}");
        }

        if (expect.TryGetProperty(stream + "_regex", out var pattern))
        {
            var match = Regex.Match(text, pattern.GetString()!, RegexOptions.None, TimeSpan.FromSeconds(5));
            if (!match.Success || match.Index != 0 || match.Length != text.Length)
            {
                problems.Add($"{stream} {JsonSerializer.Serialize(text)} does not match {pattern.GetString()}");
            }
        }

        if (expect.TryGetProperty(stream + "_contains", out var parts))
        {
            foreach (var part in parts.EnumerateArray().Select(p => p.GetString()!).Where(p => !text.Contains(p, StringComparison.Ordinal)))
            {
                problems.Add($"{stream} lacks {JsonSerializer.Serialize(part)}");
            }
        }
    }

    private static byte[] Stream(JsonElement result, string name, string encoding) =>
        result.GetProperty(encoding).GetString() == "base64"
            ? Convert.FromBase64String(result.GetProperty(name).GetString()!)
            : Encoding.UTF8.GetBytes(result.GetProperty(name).GetString()!);

    private static List<JsonElement> Manifest()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(CorpusLocation.Directory!, "manifest.json")));
        return [.. document.RootElement.EnumerateArray().Select(e => e.Clone())];
    }

    /// <summary>One host and one enterprise user for the whole corpus.</summary>
    public sealed class App : IDisposable
    {
        private readonly SemaphoreSlim _lock = new(1, 1);
        private TestUser? _user;

        public WasmWizardApp Instance { get; } = new();

        public async Task<TestUser> UserAsync()
        {
            await _lock.WaitAsync(TestContext.Current.CancellationToken);
            try
            {
                return _user ??= await Instance.CreateUserAsync("enterprise");
            }
            finally
            {
                _lock.Release();
            }
        }

        public void Dispose()
        {
            _user?.Dispose();
            Instance.Dispose();
            _lock.Dispose();
        }
    }
}
