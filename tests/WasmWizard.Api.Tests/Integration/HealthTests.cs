using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using WasmWizard.Api.Tests.Infrastructure;

namespace WasmWizard.Api.Tests.Integration;

/// <summary>
/// The health endpoints an operator and Kubernetes read: <c>/health</c> shows every check in detail,
/// <c>/health/ready</c> follows the dependencies, <c>/health/live</c> only the process.
/// </summary>
public sealed class HealthTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Health_EmbeddedHost_EveryCheckWithStatusDescriptionDurationAndData()
    {
        // Arrange
        using var app = new WasmWizardApp(new Dictionary<string, string?> { ["Sandbox:MaxConcurrentRuns"] = "3" });
        using var client = app.CreateClient();

        // Act
        using var detailed = await client.GetAsync("/health", Token);
        using var ready = await client.GetAsync("/health/ready", Token);
        using var live = await client.GetAsync("/health/live", Token);

        // Assert
        Assert.Equal(HttpStatusCode.OK, detailed.StatusCode);
        var body = await ApiCalls.BodyAsync(detailed);
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        Assert.True(body.GetProperty("duration_ms").GetDouble() >= 0);
        var checks = body.GetProperty("checks");
        Assert.Equal(["audit-outbox", "audit-store", "database", "sandbox"], Names(checks));
        foreach (var check in checks.EnumerateObject())
        {
            Assert.Equal("healthy", check.Value.GetProperty("status").GetString());
            Assert.False(string.IsNullOrWhiteSpace(check.Value.GetProperty("description").GetString()), check.Name);
            Assert.True(check.Value.GetProperty("duration_ms").GetDouble() >= 0, check.Name);
            Assert.Contains("ready", check.Value.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        }

        var sandbox = checks.GetProperty("sandbox").GetProperty("data");
        Assert.Equal(3, sandbox.GetProperty("free_slots").GetInt32());
        Assert.Equal(3, sandbox.GetProperty("total_slots").GetInt32());
        Assert.Equal(0, checks.GetProperty("audit-outbox").GetProperty("data").GetProperty("pending_events").GetInt64());
        Assert.Equal("sqlite", checks.GetProperty("audit-store").GetProperty("data").GetProperty("store").GetString());
        var text = await detailed.Content.ReadAsStringAsync(Token);
        Assert.DoesNotContain(app.DataDirectory, text, StringComparison.Ordinal);
        Assert.Equal("no-store", detailed.Headers.CacheControl?.ToString());

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(Names(checks), Names((await ApiCalls.BodyAsync(ready)).GetProperty("checks")));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Empty(Names((await ApiCalls.BodyAsync(live)).GetProperty("checks")));
    }

    [Fact]
    public async Task Ready_DatabaseFileUnreadable_ServiceUnavailableWhileLiveStaysOk()
    {
        // Arrange
        using var app = new WasmWizardApp();
        using var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready", Token)).StatusCode);

        // Act: the database file is overwritten with something that is not a database (a volume gone bad).
        SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(app.DataDirectory, "*.db*"))
        {
            await File.WriteAllBytesAsync(file, new byte[8192], Token);
        }

        using var ready = await client.GetAsync("/health/ready", Token);
        using var live = await client.GetAsync("/health/live", Token);

        // Assert
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var body = await ApiCalls.BodyAsync(ready);
        Assert.Equal("unhealthy", body.GetProperty("status").GetString());
        Assert.Equal("unhealthy", body.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        Assert.DoesNotContain(app.DataDirectory, await ready.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("healthy", (await ApiCalls.BodyAsync(live)).GetProperty("status").GetString());
    }

    private static List<string> Names(JsonElement checks) =>
        [.. checks.EnumerateObject().Select(c => c.Name).Order(StringComparer.Ordinal)];
}
