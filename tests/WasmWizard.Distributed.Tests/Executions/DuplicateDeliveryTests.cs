using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using WasmWizard.DaprDouble.PubSub;
using WasmWizard.Distributed.Tests.Infrastructure;
using WasmWizard.Executor.Hosting;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Dapr;
using WasmWizard.Shared.Execution;
using WasmWizard.Shared.Ports;
using static WasmWizard.Distributed.Tests.Infrastructure.ExecutionCalls;

namespace WasmWizard.Distributed.Tests.Executions;

/// <summary>
/// At-least-once delivery against two executor replicas: however often one request reaches them, one after the
/// other or all at once, and whichever replica each copy lands on, the module runs once and is charged once.
/// </summary>
public sealed class DuplicateDeliveryTests : IAsyncLifetime
{
    private readonly QueuedExecutionComposition _composition = new();
    private DaprHost<ExecutorProgram> _secondExecutor = null!;
    private ExecutionProducer _producer = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await _composition.InitializeAsync();
        _secondExecutor = await _composition.StartExecutorReplicaAsync();
        _producer = new ExecutionProducer(_composition);
    }

    public async ValueTask DisposeAsync()
    {
        _producer.Dispose();
        await _secondExecutor.DisposeAsync();
        await _composition.DisposeAsync();
    }

    [Fact]
    public async Task SameRequestPublishedTwiceThenFiveTimesAtOnce_RunOnce_ChargedOnce_AnsweredAlike()
    {
        Assert.Equal(2, _composition.Network.FindReplicas(DaprNames.ExecutorAppId).Count);
        var (tenant, user) = await TestUsers.CreateAsync(_composition, "free");
        using var _ = user;
        var module = await UploadAsync(user); // 1 of the free tier's burst of 5
        var id = Guid.NewGuid();
        var request = ExecutionProducer.Request(id, tenant, module, "only once\n");

        // Back to back: the broker hands the two copies to the two replicas, which take them at the same time.
        await _producer.PublishAsync(request);
        await _producer.PublishAsync(request);
        await _composition.Network.WhenIdleAsync(cancellationToken: Token);
        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => _producer.PublishAsync(request)));
        await _composition.Network.WhenIdleAsync(cancellationToken: Token);

        // Charged once: of the burst of 5 the upload took one, the run one, and this listing takes one.
        using var listing = await user.GetAsync("/api/wasm/modules", Token);
        Assert.Equal(HttpStatusCode.OK, listing.StatusCode);
        var remaining = int.Parse(
            Assert.Single(listing.Headers.GetValues("X-RateLimit-Remaining")), CultureInfo.InvariantCulture);

        // More only if the bucket refilled meanwhile (one request per 6 s); fewer if a duplicate was charged.
        Assert.True(remaining >= 2, $"{remaining} requests left: the duplicates were charged too");

        var deliveries = _composition.Network.Deliveries
            .Where(d => d.Topic == DaprNames.ExecutionRequestsTopic && ExecutionProducer.RequestIdOf(d.Event) == id)
            .ToList();
        Assert.Equal(7, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal(DeliveryOutcome.Succeeded, d.Outcome));
        Assert.Equal([0, 1], deliveries.Select(d => d.SubscriberReplica).Distinct().Order());

        // Ran once: one execution listed, one history entry, one run in the audit trail.
        var listed = Assert.Single(await ListExecutionsAsync(user));
        Assert.Equal(id, listed.GetProperty("execution_id").GetGuid());
        var stored = await PollCompletedAsync(user, id);
        Assert.Equal(EchoOf("only once\n"), stored.GetProperty("output").GetString());
        var store = _composition.Network.StateStore(DaprNames.StateStore);
        Assert.NotNull(store.Find(DaprNames.ApiAppId, "execution:" + id));
        var runs = (await _composition.AuditEventsAsync(Token))
            .Where(e => e.Type == AuditEventTypes.ExecutionCompleted && e.Subject == "execution:" + id)
            .ToList();
        var run = Assert.Single(runs);
        Assert.Equal(DaprNames.ExecutorAppId, run.Source);

        // Every answer, a repeat or not, says the same thing.
        var answers = _producer.Results(id);
        Assert.NotEmpty(answers);
        Assert.All(answers, a => Assert.Equal("completed", a.GetProperty("status").GetString()));
        Assert.Single(answers.Select(Essentials).Distinct());

    }

    [Fact]
    public async Task CopiesAdmittedAtOnceWithOneBacklogPlaceLeft_NoCopyAnsweredRefused()
    {
        // The backlog has room for exactly one more execution. Copies of one request reach both replicas at once:
        // the copy that stores it fills the backlog, and a copy that missed it on its first read then finds the
        // backlog full. It must be handled as the duplicate it is, not answered "concurrency_limited" for a request
        // that runs: "every copy says the same" (docs/execution-events.md).
        var (tenant, user) = await TestUsers.CreateAsync(_composition, "basic");
        using var _ = user;
        var module = await UploadAsync(user);
        _composition.Api.Sidecar.Faults.PublishUnavailable = true;
        try
        {
            // Stays queued for its Idempotency-Key's retry: one of the two places in the backlog is taken.
            using var stuck = await SubmitAsync(user, module, "stuck", idempotencyKey: "stuck");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, stuck.StatusCode);
        }
        finally
        {
            _composition.Api.Sidecar.Faults.PublishUnavailable = false;
        }

        var ids = new List<Guid>();
        for (var round = 0; round < 6; round++)
        {
            var id = Guid.NewGuid();
            ids.Add(id);
            var request = ExecutionProducer.Request(id, tenant, module, "once\n");
            await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => _producer.PublishAsync(request)));
            await _composition.Network.WhenIdleAsync(cancellationToken: Token);
        }

        foreach (var id in ids)
        {
            var answers = _producer.Results(id);
            Assert.NotEmpty(answers);
            Assert.All(answers, a => Assert.Equal("completed", a.GetProperty("status").GetString()));
            var stored = await PollCompletedAsync(user, id);
            Assert.Equal(EchoOf("once\n"), stored.GetProperty("output").GetString());
        }
    }

    [Fact]
    public async Task ExecutorDiedMidRun_ARedeliveryLongAfter_ClosesItInterrupted_NeverRunsIt()
    {
        var (tenant, user) = await TestUsers.CreateAsync(_composition, "pro");
        using var _ = user;
        var module = await UploadAsync(user);
        var id = await LeaveAbandonedAsync(tenant, module);

        // A redelivery of the request (the sidecar's, or the producer publishing it again).
        await _producer.PublishAsync(ExecutionProducer.Request(id, tenant, module, "lost?"));
        var answer = await _producer.ResultAsync(id);
        var (_, stored) = await GetExecutionAsync(user, id);

        Assert.Equal("interrupted", answer.GetProperty("outcome").GetString());
        Assert.Equal("completed", stored.GetProperty("status").GetString());
        Assert.Equal("interrupted", stored.GetProperty("outcome").GetString());
        Assert.Equal("", stored.GetProperty("output").GetString());
    }

    [Fact]
    public async Task ExecutorDiedMidRun_NothingRedelivered_APollClosesItAndItIsAnswered()
    {
        var (tenant, user) = await TestUsers.CreateAsync(_composition, "pro");
        using var _ = user;
        var module = await UploadAsync(user);
        var id = await LeaveAbandonedAsync(tenant, module);

        var (status, polled) = await GetExecutionAsync(user, id);
        var answer = await _producer.ResultAsync(id);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("completed", polled.GetProperty("status").GetString());
        Assert.Equal("interrupted", polled.GetProperty("outcome").GetString());
        Assert.Equal("interrupted", answer.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task ExecutorDiedMidRun_ItsPlaceInAFullBacklogIsFreedForTheNextSubmit()
    {
        var (tenant, user) = await TestUsers.CreateAsync(_composition, "basic");
        using var _ = user;
        var module = await UploadAsync(user);
        var abandoned = new List<Guid>();
        for (var i = 0; i < QueuedExecutionComposition.BasicPendingCap; i++)
        {
            abandoned.Add(await LeaveAbandonedAsync(tenant, module));
        }

        var submitted = await SubmitAsync(user, module, "after\n");
        var id = (await BodyAsync(submitted)).GetProperty("execution_id").GetGuid();
        var done = await PollCompletedAsync(user, id);

        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        Assert.Equal(EchoOf("after\n"), done.GetProperty("output").GetString());
        foreach (var lost in abandoned)
        {
            Assert.Equal("interrupted", (await GetExecutionAsync(user, lost)).Body.GetProperty("outcome").GetString());
        }
    }

    // What a replica that claimed a request and then died leaves behind: the execution, running since longer ago
    // than any run can last (the longest tier's 60 s plus the grace).
    private async Task<Guid> LeaveAbandonedAsync(Guid tenant, Guid module)
    {
        var jobs = _composition.Executor.Services.GetRequiredService<IExecutionJobStore>();
        var startedAt = DateTimeOffset.UtcNow - AbandonedExecutions.Grace - TimeSpan.FromMinutes(2);
        var id = Guid.NewGuid();
        var claimed = new ExecutionJob(
            id, tenant, module, null, "",
            new ExecutionJobRequest(
                new string('0', 64), "echo", [], [], [], new RunLimits(1000, 16L * 1024 * 1024, null), "pro",
                null, null, "event:" + id),
            ExecutionJobStatus.Running, startedAt, StartedAt: startedAt);
        await jobs.CreateAsync(claimed, Token);
        return id;
    }

    // What a consumer acts on; the id of the CloudEvent carrying it may differ.
    private static string Essentials(JsonElement answer) => string.Join(
        "|",
        answer.GetProperty("execution_id").GetGuid(),
        answer.GetProperty("status").GetString(),
        answer.GetProperty("outcome").GetString(),
        answer.GetProperty("exit_code").GetRawText(),
        answer.GetProperty("output").GetString(),
        answer.GetProperty("duration_ms").GetRawText(),
        answer.GetProperty("completed_at").GetString());
}
