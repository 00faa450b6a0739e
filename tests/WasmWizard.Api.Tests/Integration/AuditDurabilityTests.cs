using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WasmWizard.Api.Tests.Infrastructure;
using WasmWizard.Audit.Storage;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Dapr;
using WasmWizard.Shared.Ports;
using WasmWizard.Standalone.Events;
using WasmWizard.Standalone.Storage;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Api.Tests.Integration;

/// <summary>
/// The embedded host's audit trail under concurrency and across a crash between the steps of a publish: every
/// event lands once, the chains stay verifiable, and nothing the host committed is lost. A "crash" is a host whose
/// process wrote some of the steps and then stopped; the steps are written with the host's own storage classes on
/// the real file, exactly as far as the crash would have let them get.
/// </summary>
public sealed class AuditDurabilityTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ConcurrentExecutes_EveryRunAuditedOnce_ChainsIntact()
    {
        // Arrange: three tenants, caps high enough that every run is served, not refused (one tenant may hold all
        // sandbox slots but one).
        using var app = new WasmWizardApp(new Dictionary<string, string?>
        {
            ["Api:Tiers:pro:MaxConcurrentExecutions"] = "64",
            ["Sandbox:MaxConcurrentRuns"] = "32",
        });
        using var alice = await app.CreateUserAsync("pro");
        using var bob = await app.CreateUserAsync("pro");
        using var carol = await app.CreateUserAsync("pro");
        var runs = new List<Task<HttpResponseMessage>>();
        foreach (var user in new[] { alice, bob, carol })
        {
            var module = await ApiCalls.UploadAsync(user.Client, TestModules.Echo, "echo.wasm");
            var moduleId = Guid.Parse(module.GetProperty("id").GetString()!);
            runs.AddRange(Enumerable.Range(0, 8)
                .Select(i => ApiCalls.ExecuteAsync(user.Client, moduleId, new { input = $"run {i}" })));
        }

        // Act
        var responses = await Task.WhenAll(runs);

        // Assert: each run's event is in the trail when its response arrives, once, in chains that verify.
        var executionIds = new List<string>();
        foreach (var response in responses)
        {
            Assert.True(response.StatusCode == HttpStatusCode.OK, await ApiCalls.Describe(response));
            executionIds.Add((await ApiCalls.BodyAsync(response)).GetProperty("execution_id").GetString()!);
        }

        var events = await app.Services.GetRequiredService<IAuditEventStore>().ListAsync(1000, Token);
        var completed = events.Where(e => e.Type == AuditEventTypes.ExecutionCompleted).Select(e => e.Subject).ToList();
        Assert.Equal(executionIds.Select(id => "execution:" + id).Order(), completed.Order());
        Assert.Equal(24, HistoryRows(app.DataDirectory));
        using var admin = app.AdminClient();
        var verified = await ApiCalls.BodyAsync(await admin.GetAsync("/api/audit/verify", Token));
        Assert.True(verified.GetProperty("intact").GetBoolean());
        Assert.Equal(events.Count, verified.GetProperty("events_checked").GetInt64());
    }

    [Fact]
    public async Task StoppedAfterOutboxCommit_NextStartWritesTheEventOnce()
    {
        // Arrange: the history row and the event's outbox row committed; then the process stopped.
        var directory = Directory.CreateTempSubdirectory("ww-crash-").FullName;
        var @event = ExecutionEvent();
        await CommitHistoryAndOutboxAsync(directory, @event);

        // Act
        using var app = new WasmWizardApp(dataDirectory: directory);
        var store = app.Services.GetRequiredService<IAuditEventStore>();
        var outbox = app.Services.GetRequiredService<SqliteEventOutbox>();
        await Eventually.HoldsAsync(() => outbox.CountAsync(Token).GetAwaiter().GetResult() == 0);

        // Assert
        Assert.Single(await store.ListAsync(1000, Token), e => e.Id == @event.Id);
        Assert.Equal(1, HistoryRows(directory));
        Assert.True((await store.VerifyAsync(AuditChainScope.All, Token)).Intact);
    }

    [Fact]
    public async Task StoppedAfterTheAppendBeforeTheRemoval_NextStartKeepsTheEventOnce()
    {
        // Arrange: the outbox row committed and its handler appended the event; the removal never committed.
        var directory = Directory.CreateTempSubdirectory("ww-crash-").FullName;
        var @event = ExecutionEvent();
        await CommitHistoryAndOutboxAsync(directory, @event);
        var trail = new SqliteAuditEventStore(Path.Combine(directory, new StorageOptions().DatabaseFileName));
        Assert.True(await trail.AppendAsync(@event, Token));
        SqliteConnection.ClearAllPools();

        // Act
        using var app = new WasmWizardApp(dataDirectory: directory);
        var store = app.Services.GetRequiredService<IAuditEventStore>();
        var outbox = app.Services.GetRequiredService<SqliteEventOutbox>();
        await Eventually.HoldsAsync(() => outbox.CountAsync(Token).GetAwaiter().GetResult() == 0);

        // Assert
        Assert.Single(await store.ListAsync(1000, Token), e => e.Id == @event.Id);
        var report = await store.VerifyAsync(AuditChainScope.Tenant(@event.TenantId!.Value), Token);
        Assert.True(report.Intact);
        Assert.Equal(1, report.EventsChecked);
    }

    // What a synchronous run commits before it hands the event to the trail, written with the host's own classes.
    private static async Task CommitHistoryAndOutboxAsync(string directory, AuditEvent @event)
    {
        var database = new SqliteDatabase(Options.Create(new StorageOptions { DataDirectory = directory }));
        var outbox = new SqliteEventOutbox(database, TimeProvider.System);
        await new SqliteExecutionStore(database).AddAsync(
            new ExecutionRecord(
                Guid.Parse(@event.Subject!["execution:".Length..]), @event.TenantId!.Value, null, new string('a', 64),
                "exited", 0, 1.5, null, DateTimeOffset.UtcNow),
            Token);
        await outbox.EnqueueAsync(DaprNames.AuditTopic, JsonSerializer.Serialize(@event, OutboxDispatcher.Json), Token);
        SqliteConnection.ClearAllPools();
    }

    private static AuditEvent ExecutionEvent()
    {
        var tenant = Guid.NewGuid();
        return new AuditEvent(
            Guid.CreateVersion7(), AuditEventTypes.ExecutionCompleted, DateTimeOffset.UtcNow, tenant, null, null, null,
            null, null, null, new Dictionary<string, string> { ["outcome"] = "exited" })
        {
            TenantId = tenant,
            Subject = "execution:" + Guid.CreateVersion7(),
            Source = DaprNames.ApiAppId,
        };
    }

    private static long HistoryRows(string directory)
    {
        using var connection = new SqliteConnection(
            $"Data Source={Path.Combine(directory, new StorageOptions().DatabaseFileName)};Pooling=False");
        connection.Open();
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM executions";
        return (long)count.ExecuteScalar()!;
    }
}
