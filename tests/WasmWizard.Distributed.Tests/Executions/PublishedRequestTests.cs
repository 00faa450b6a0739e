using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using WasmWizard.DaprDouble.State;
using WasmWizard.Distributed.Tests.Infrastructure;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Dapr;
using WasmWizard.Tests.Shared;
using static WasmWizard.Distributed.Tests.Infrastructure.ExecutionCalls;

namespace WasmWizard.Distributed.Tests.Executions;

/// <summary>
/// Execution requests an outside producer publishes on <c>execution-requests</c>: what the producer reads back on
/// <c>execution-results</c>, and what the tenant then sees through the REST api (the execution, its history and
/// audit trail). A refused request is answered with its reason and runs nothing.
/// </summary>
public sealed class PublishedRequestTests(QueuedExecutionComposition composition)
    : IClassFixture<QueuedExecutionComposition>, IDisposable
{
    private readonly ExecutionProducer _producer = new(composition);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => _producer.Dispose();

    [Fact]
    public async Task PublishedRequest_CompletedOnTheResultsTopic_AndShownToTheTenant()
    {
        var (tenant, user) = await TestUsers.CreateAsync(composition, "pro");
        using var _ = user;
        var module = await UploadAsync(user);
        var id = Guid.NewGuid();

        await _producer.PublishAsync(ExecutionProducer.Request(id, tenant, module, "published\n"));
        var result = await _producer.ResultAsync(id);
        var (status, stored) = await GetExecutionAsync(user, id);
        var listed = await ListExecutionsAsync(user);

        Assert.Equal("completed", result.GetProperty("status").GetString());
        Assert.Equal(id, result.GetProperty("request_id").GetGuid());
        Assert.Equal(id, result.GetProperty("execution_id").GetGuid());
        Assert.Equal(tenant, result.GetProperty("tenant_id").GetGuid());
        Assert.Equal(module, result.GetProperty("module_id").GetGuid());
        Assert.Equal("exited", result.GetProperty("outcome").GetString());
        Assert.Equal(0, result.GetProperty("exit_code").GetInt32());
        Assert.Equal(EchoOf("published\n"), result.GetProperty("output").GetString());
        Assert.Equal(JsonValueKind.Null, result.GetProperty("refusal").ValueKind);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("completed", stored.GetProperty("status").GetString());
        Assert.Equal(id, stored.GetProperty("execution_id").GetGuid());
        Assert.Equal(EchoOf("published\n"), stored.GetProperty("output").GetString());
        Assert.Equal(id, Assert.Single(listed).GetProperty("execution_id").GetGuid());
        Assert.NotNull(HistoryEntry(id));

        // The tenant reads the run in its own audit trail, recorded by the executor under the execution's id.
        JsonElement trail = default;
        await Eventually.HoldsAsync(
            async () =>
            {
                using var response = await user.GetAsync($"/api/audit/events?subject=execution:{id}", Token);
                trail = await BodyAsync(response);
                return trail.GetProperty("events").GetArrayLength() > 0;
            },
            TimeSpan.FromSeconds(10),
            TimeSpan.FromMilliseconds(20));
        var audited = Assert.Single(trail.GetProperty("events").EnumerateArray());
        Assert.Equal(AuditEventTypes.ExecutionCompleted, audited.GetProperty("type").GetString());
        Assert.Equal(DaprNames.ExecutorAppId, audited.GetProperty("source").GetString());
        Assert.Equal(tenant.ToString(), audited.GetProperty("tenant_id").GetString());
    }

    [Fact]
    public async Task UnknownTenant_RefusedTenantNotFound_NothingStored()
    {
        var (owner, user) = await TestUsers.CreateAsync(composition, "pro");
        using var _ = user;
        var module = await UploadAsync(user);
        var id = Guid.NewGuid();

        await _producer.PublishAsync(ExecutionProducer.Request(id, Guid.NewGuid(), module, "x"));
        var result = await _producer.ResultAsync(id);

        AssertRefused(result, ExecutionRefusalCodes.TenantNotFound);
        Assert.Null(StateValue("job:" + id));
        Assert.Equal(HttpStatusCode.NotFound, (await GetExecutionAsync(user, id)).Status);
        Assert.NotEqual(owner, result.GetProperty("tenant_id").GetGuid());
    }

    [Fact]
    public async Task AnotherTenantsPrivateModule_RefusedNotFound_StoredAsRejected()
    {
        var (_, owner) = await TestUsers.CreateAsync(composition, "pro");
        var (stranger, strangerClient) = await TestUsers.CreateAsync(composition, "pro");
        using var ownerClient = owner;
        using var __ = strangerClient;
        var module = await UploadAsync(owner);
        var id = Guid.NewGuid();

        await _producer.PublishAsync(ExecutionProducer.Request(id, stranger, module, "x"));
        var result = await _producer.ResultAsync(id);

        AssertRefused(result, ExecutionRefusalCodes.ModuleNotFound);
        await AssertStoredAsRejectedAsync(strangerClient, id);
        Assert.Equal(HttpStatusCode.NotFound, (await GetExecutionAsync(owner, id)).Status);
    }

    [Fact]
    public async Task LimitBeyondTheTier_RefusedLimitExceedsTier_StoredAsRejected()
    {
        var (tenant, user) = await TestUsers.CreateAsync(composition, "free");
        using var _ = user;
        var module = await UploadAsync(user);
        var id = Guid.NewGuid();
        var request = ExecutionProducer.Request(id, tenant, module, "x");
        request["limits"] = new JsonObject { ["timeout_ms"] = 60_000 };

        await _producer.PublishAsync(request);
        var result = await _producer.ResultAsync(id);

        AssertRefused(result, ExecutionRefusalCodes.LimitExceedsTier);
        await AssertStoredAsRejectedAsync(user, id);
    }

    [Theory]
    [InlineData("stdin_and_stdin_base64")]
    [InlineData("bad_base64")]
    [InlineData("args_not_strings")]
    public async Task MalformedRequest_RefusedInvalidRequest_StoredAsRejected(string defect)
    {
        var (tenant, user) = await TestUsers.CreateAsync(composition, "pro");
        using var _ = user;
        var module = await UploadAsync(user);
        var id = Guid.NewGuid();
        var request = ExecutionProducer.Request(id, tenant, module);
        switch (defect)
        {
            case "stdin_and_stdin_base64":
                request["stdin"] = "text";
                request["stdin_base64"] = "dGV4dA==";
                break;
            case "bad_base64":
                request["stdin_base64"] = "not base64!";
                break;
            default:
                request["args"] = new JsonArray(1, 2);
                break;
        }

        await _producer.PublishAsync(request);
        var result = await _producer.ResultAsync(id);

        AssertRefused(result, ExecutionRefusalCodes.InvalidRequest);
        await AssertStoredAsRejectedAsync(user, id);
    }

    [Fact]
    public async Task FreeTierPastItsBurst_SomeRefusedRateLimited_TheRestRun()
    {
        var (tenant, user) = await TestUsers.CreateAsync(composition, "free");
        using var _ = user;
        var module = await UploadAsync(user); // one of the burst of 5
        var ids = Enumerable.Range(0, 7).Select(_ => Guid.NewGuid()).ToList();

        foreach (var id in ids)
        {
            await _producer.PublishAsync(ExecutionProducer.Request(id, tenant, module, "burst"));
        }

        var results = new List<JsonElement>();
        foreach (var id in ids)
        {
            results.Add(await _producer.ResultAsync(id));
        }

        // Four tokens were left (more only if the bucket refilled meanwhile, at one per 6 s).
        var refused = results.Where(r => r.GetProperty("status").GetString() == "refused").ToList();
        var ran = results.Where(r => r.GetProperty("status").GetString() == "completed").ToList();
        Assert.Equal(7, refused.Count + ran.Count);
        Assert.InRange(refused.Count, 1, 3);
        Assert.All(refused, r => AssertRefused(r, ExecutionRefusalCodes.RateLimited));
        Assert.All(ran, r => Assert.Equal(EchoOf("burst"), r.GetProperty("output").GetString()));
        await composition.Network.WhenIdleAsync(cancellationToken: Token);
        var audited = await ExecutionAuditsAsync(tenant);
        Assert.Equal(
            ran.Select(r => r.GetProperty("request_id").GetGuid()).Order(),
            audited.Select(e => Guid.Parse(e.Subject!["execution:".Length..])).Order());
    }

    [Fact]
    public async Task BacklogFull_RefusedConcurrencyLimited_StoredAsRejected()
    {
        var (tenant, user) = await TestUsers.CreateAsync(composition, "basic");
        using var _ = user;
        var module = await UploadAsync(user);

        // Two submits whose announcement fails stay queued for their Idempotency-Key's retry: the backlog is full.
        composition.Api.Sidecar.Faults.PublishUnavailable = true;
        try
        {
            for (var i = 0; i < QueuedExecutionComposition.BasicPendingCap; i++)
            {
                using var queued = await SubmitAsync(user, module, "stuck", idempotencyKey: "stuck-" + i);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, queued.StatusCode);
            }
        }
        finally
        {
            composition.Api.Sidecar.Faults.PublishUnavailable = false;
        }

        var id = Guid.NewGuid();
        await _producer.PublishAsync(ExecutionProducer.Request(id, tenant, module, "x"));
        var result = await _producer.ResultAsync(id);

        AssertRefused(result, ExecutionRefusalCodes.ConcurrencyLimited);
        await AssertStoredAsRejectedAsync(user, id);
    }

    private static void AssertRefused(JsonElement result, string code)
    {
        Assert.Equal("refused", result.GetProperty("status").GetString());
        Assert.Equal(code, result.GetProperty("refusal").GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(result.GetProperty("refusal").GetProperty("message").GetString()));
        Assert.Equal("rejected", result.GetProperty("outcome").GetString());
        Assert.Equal("", result.GetProperty("output").GetString());
    }

    private async Task AssertStoredAsRejectedAsync(HttpClient user, Guid id)
    {
        var (status, stored) = await GetExecutionAsync(user, id);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("completed", stored.GetProperty("status").GetString());
        Assert.Equal("rejected", stored.GetProperty("outcome").GetString());

        // Nothing ran: no history entry, and (once every delivery is through) no run in the audit trail.
        Assert.Null(HistoryEntry(id));
        await composition.Network.WhenIdleAsync(cancellationToken: Token);
        Assert.DoesNotContain(
            await composition.AuditEventsAsync(Token),
            e => e.Type == AuditEventTypes.ExecutionCompleted && e.Subject == "execution:" + id);
    }

    private async Task<IReadOnlyList<AuditEvent>> ExecutionAuditsAsync(Guid tenant) =>
        [.. (await composition.AuditEventsAsync(Token))
            .Where(e => e.Type == AuditEventTypes.ExecutionCompleted && e.TenantId == tenant)];

    private StateEntry? HistoryEntry(Guid id) => StateValue("execution:" + id);

    // Keys as services/shared/Dapr/README.md lays them out: job:{id} (the execution), execution:{id} (its history).
    private StateEntry? StateValue(string key) =>
        composition.Network.StateStore(DaprNames.StateStore).Find(DaprNames.ApiAppId, key);
}
