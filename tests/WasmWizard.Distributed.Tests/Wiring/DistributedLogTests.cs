using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WasmWizard.Distributed.Tests.Infrastructure;
using WasmWizard.Shared.Dapr;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Distributed.Tests.Wiring;

/// <summary>
/// The three services' logs as a collector gets them: JSON lines, each naming its service, request and tenant, and
/// none holding the caller's key, stdin or query string.
/// </summary>
public sealed class DistributedLogTests(DistributedLogTests.LoggedComposition composition)
    : IClassFixture<DistributedLogTests.LoggedComposition>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Logs_RestExecutionWithKeyAndStdin_EachServiceWritesItsIdsAndNoSecret()
    {
        // Arrange
        var logs = composition.Logs!;
        var stdin = "STDIN-DATA-" + Guid.NewGuid().ToString("N");
        var query = "QUERY-DATA-" + Guid.NewGuid().ToString("N");
        var (userId, user) = await TestUsers.CreateAsync(composition, "pro");
        using var _ = user;
        var key = user.DefaultRequestHeaders.Authorization!.Parameter!;
        var module = await ExecutionCalls.UploadAsync(user);

        // Act
        using var run = await user.PostAsJsonAsync($"/api/wasm/modules/{module}/execute", new { input = stdin }, Token);
        var requestId = Assert.Single(run.Headers.GetValues("X-Request-Id"));
        using var listed = await user.GetAsync($"/api/wasm/modules?page=1&token={query}", Token);

        // Assert: each service writes a request's summary line when it ends, which can be after the answer left.
        Assert.Equal(HttpStatusCode.OK, run.StatusCode);
        JsonElement apiLine = default;
        JsonElement executorLine = default;
        await Eventually.HoldsAsync(() =>
        {
            var lines = logs.JsonLines();
            apiLine = lines.FirstOrDefault(l => Text(l, "Service") == "api" && Text(l, "RequestId") == requestId
                && Text(l, "Route") is { } route && route.EndsWith("/execute", StringComparison.Ordinal));
            executorLine = lines.FirstOrDefault(l => Text(l, "Service") == "executor"
                && Text(l, "TenantId") == userId.ToString()
                && Text(l, "Route") is { } route && route.EndsWith(ExecutorProtocol.RunRoute, StringComparison.Ordinal));
            return apiLine.ValueKind == JsonValueKind.Object && executorLine.ValueKind == JsonValueKind.Object;
        });
        Assert.Equal(userId.ToString(), Text(apiLine, "TenantId"));
        Assert.Equal(requestId, Text(apiLine, "@tr"));
        Assert.All([apiLine, executorLine], line =>
        {
            Assert.Matches("^[0-9a-f]{32}$", Text(line, "@tr"));
            Assert.Matches("^[0-9a-f]{16}$", Text(line, "@sp"));
            Assert.Matches("^[0-9a-f]{32}$", Text(line, "RequestId"));
            Assert.Equal("Information", Text(line, "@l"));
        });
        Assert.Contains(logs.JsonLines(), l => Text(l, "Service") == "audit");
        foreach (var secret in new[] { key, stdin, query, composition.AdminKey })
        {
            Assert.DoesNotContain(secret, logs.Text, StringComparison.Ordinal);
        }
    }

    private static string? Text(JsonElement line, string name) =>
        line.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The composition with every service's log captured, at Information and in the JSON format.</summary>
    public sealed class LoggedComposition : DistributedComposition
    {
        public LoggedComposition()
        {
            Logs = new LogCapture();
            ExtraSettings = new Dictionary<string, string?>
            {
                ["Serilog:MinimumLevel:Default"] = "Information",
                ["Logs:Format"] = "json",
            };
        }
    }
}
