using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using WasmWizard.Api.Tests.Infrastructure;
using WasmWizard.Shared.Hosting;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Api.Tests.Integration;

/// <summary>
/// The log is what an operator's collector gets: one JSON object per line that ties each line to its request (trace,
/// span and request ids, tenant, service), and nothing secret in it: no API key, no JWT, no module bytes, no stdin,
/// not even at debug level.
/// </summary>
public sealed class SecretsInLogsTests
{
    private static readonly byte[] JwtSecret = RandomNumberGenerator.GetBytes(32);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Log_AfterKeysModulesRunsAndFailures_HoldsNoSecret()
    {
        // Arrange
        var logs = new LogCapture();
        var moduleMarker = "MODULE-DATA-" + Guid.NewGuid().ToString("N");
        var stdinMarker = "STDIN-DATA-" + Guid.NewGuid().ToString("N");
        var queryMarker = "QUERY-DATA-" + Guid.NewGuid().ToString("N");
        var jwt = Tokens.Create(new SymmetricSecurityKey(JwtSecret), "tenant-" + Guid.NewGuid().ToString("N"));
        string userKey;
        string secondKey;
        string adminKey;

        // Act
        using (var app = App(logs, "json"))
        {
            adminKey = app.AdminKey;
            using var user = await app.CreateUserAsync();
            userKey = user.ApiKey;
            var second = await ApiCalls.BodyAsync(await user.Client.PostAsJsonAsync("/api/auth/keys", new { name = "x" }, Token));
            secondKey = second.GetProperty("api_key").GetString()!;
            await user.Client.DeleteAsync($"/api/auth/keys/{second.GetProperty("id").GetString()}", Token);

            var module = MarkedModule(moduleMarker);
            var uploaded = await ApiCalls.UploadAsync(user.Client, module, "marker.wasm");
            await ApiCalls.ExecuteAsync(
                user.Client, Guid.Parse(uploaded.GetProperty("id").GetString()!), new { input = stdinMarker });
            using var revoked = app.ClientWithKey(secondKey);
            await revoked.GetAsync("/api/wasm/modules", Token);
            using var wrong = app.ClientWithKey(userKey[..^2] + "zz");
            await wrong.GetAsync("/api/wasm/modules", Token);
            await user.Client.GetAsync($"/api/wasm/modules?page=1&token={queryMarker}", Token);

            using var tenant = app.ClientWithKey(jwt);
            var jwtModule = await ApiCalls.UploadAsync(tenant, module, "jwt-marker.wasm");
            await ApiCalls.ExecuteAsync(
                tenant, Guid.Parse(jwtModule.GetProperty("id").GetString()!), new { input = stdinMarker });
            using var badJwt = app.ClientWithKey(jwt[..^4] + "AAAA");
            await badJwt.GetAsync("/api/wasm/modules", Token);
        }

        // Assert
        var log = logs.Text;
        Assert.NotEmpty(logs.JsonLines());
        Assert.Contains("/api/wasm/upload", log, StringComparison.Ordinal);
        string[] secrets = [userKey, userKey[3..], secondKey, adminKey, jwt, jwt.Split('.')[2], moduleMarker, stdinMarker, queryMarker];
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, log, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task JsonLog_ExecutionWithKeyAndStdin_LinesCarryTheRequestsIds()
    {
        // Arrange
        var logs = new LogCapture();
        var stdinMarker = "STDIN-DATA-" + Guid.NewGuid().ToString("N");
        var traceId = ActivityTraceIdHex();
        string userKey;
        Guid userId;
        string answeredRequestId;

        // Act: the client sends its own W3C traceparent, as a traced caller does.
        using (var app = App(logs, "json"))
        {
            using var user = await app.CreateUserAsync();
            (userKey, userId) = (user.ApiKey, user.Id);
            var uploaded = await ApiCalls.UploadAsync(user.Client, MarkedModule("M"), "m.wasm");
            using var request = new HttpRequestMessage(
                HttpMethod.Post, $"/api/wasm/modules/{uploaded.GetProperty("id").GetString()}/execute")
            {
                Content = JsonContent.Create(new { input = stdinMarker }),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", userKey);
            request.Headers.Add("traceparent", $"00-{traceId}-{ActivityTraceIdHex()[..16]}-01");
            using var client = app.CreateClient();
            using var response = await client.SendAsync(request, Token);
            answeredRequestId = Assert.Single(response.Headers.GetValues("X-Request-Id"));
        }

        // Assert
        var lines = logs.JsonLines();
        Assert.Equal(traceId, answeredRequestId);
        var mine = lines.Where(l => Text(l, "RequestId") == answeredRequestId).ToList();
        var summary = Assert.Single(mine, l => Text(l, "@mt")!.StartsWith("HTTP ", StringComparison.Ordinal));
        Assert.StartsWith("HTTP POST /api/wasm/modules/{id:guid}/execute answered 422 in ", Text(summary, "@m"));
        var finished = Assert.Single(mine, l => l.GetProperty("EventId").GetProperty("Name").GetString() == "ExecutionFinished");
        Assert.All([summary, finished], line => Assert.Equal(userId.ToString(), Text(line, "TenantId")));
        Assert.All(mine, line =>
        {
            Assert.Equal(traceId, Text(line, "@tr"));
            Assert.Matches("^[0-9a-f]{16}$", Text(line, "@sp"));
            Assert.Equal("standalone", Text(line, "Service"));
            Assert.True(line.GetProperty("EventId").GetProperty("Id").GetInt32() > 0);
            Assert.True(DateTimeOffset.TryParse(Text(line, "@t"), out _));
            Assert.False(string.IsNullOrEmpty(Text(line, "@l")));
        });
        Assert.DoesNotContain(userKey, logs.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(stdinMarker, logs.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JsonLog_QueuedExecution_FinishedLineNamesItsTenant()
    {
        // Arrange
        var logs = new LogCapture();
        var stdinMarker = "STDIN-DATA-" + Guid.NewGuid().ToString("N");
        Guid userId;
        string executionId;

        // Act: a run from the embedded queue, which no request of the tenant's carries.
        using (var app = App(logs, "json"))
        {
            using var user = await app.CreateUserAsync();
            userId = user.Id;
            var uploaded = await ApiCalls.UploadAsync(user.Client, MarkedModule("Q"), "q.wasm");
            var submitted = await ApiCalls.BodyAsync(await user.Client.PostAsJsonAsync(
                $"/api/wasm/modules/{uploaded.GetProperty("id").GetString()}/executions", new { input = stdinMarker }, Token));
            executionId = submitted.GetProperty("execution_id").GetString()!;
            for (var i = 0; i < 200; i++)
            {
                var state = await ApiCalls.BodyAsync(await user.Client.GetAsync($"/api/executions/{executionId}", Token));
                if (state.GetProperty("status").GetString() == "completed")
                {
                    break;
                }

                await Task.Delay(50, Token);
            }
        }

        // Assert
        var finished = Assert.Single(logs.JsonLines(), l => Text(l, "ExecutionId") == executionId
            && l.GetProperty("EventId").GetProperty("Name").GetString() == "ExecutionFinished");
        Assert.Equal(userId.ToString(), Text(finished, "TenantId"));
        Assert.Equal("standalone", Text(finished, "Service"));
        Assert.DoesNotContain(stdinMarker, logs.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TextFormat_RequestLogged_AsReadableLines()
    {
        var logs = new LogCapture();
        using (var app = App(logs, "text"))
        {
            using var client = app.CreateClient();
            await client.GetAsync("/api/wasm/modules", Token);
        }

        var line = Assert.Single(logs.Lines, l => l.Contains("HTTP GET", StringComparison.Ordinal));
        Assert.Matches(@"^\[\d\d:\d\d:\d\d INF\] standalone HTTP GET /api/wasm/modules answered 401 in ", line);
    }

    [Fact]
    public void UnknownFormat_StartFails_NamingTheSetting()
    {
        using var app = new WasmWizardApp(new Dictionary<string, string?> { ["Logs:Format"] = "xml" });

        Assert.ThrowsAny<Exception>(() => app.Services);
        var reason = Assert.Throws<InvalidOperationException>(() => StructuredLogging.CreateFormatter("xml"));
        Assert.Contains("Logs:Format", reason.Message, StringComparison.Ordinal);
    }

    private static WasmWizardApp App(LogCapture logs, string format) => new(
        new Dictionary<string, string?>
        {
            ["Serilog:MinimumLevel:Default"] = "Debug",
            ["Logs:Format"] = format,
            ["Auth:Jwt:Issuer"] = Tokens.Issuer,
            ["Auth:Jwt:Audience"] = Tokens.Audience,
            ["Auth:Jwt:SigningKey"] = Convert.ToBase64String(JwtSecret),
        },
        services: logs.AddTo);

    // Prints stdin (so a leak would show it) and traps, so the run answers 422.
    private static byte[] MarkedModule(string marker) => Wat.Compile(Wat.Command(Wat.Data(300, marker) + """
        (func (export "_start")
          (i32.store (i32.const 16) (i32.const 1024))
          (i32.store (i32.const 20) (i32.const 1000))
          (drop (call $fd_read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 24)))
          (call $print (i32.const 1024) (i32.load (i32.const 24)))
          unreachable)
        """));

    private static string ActivityTraceIdHex() => System.Diagnostics.ActivityTraceId.CreateRandom().ToHexString();

    private static string? Text(JsonElement line, string name) =>
        line.TryGetProperty(name, out var value) ? value.GetString() : null;
}
