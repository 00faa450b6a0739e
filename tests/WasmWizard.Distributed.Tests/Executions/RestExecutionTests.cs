using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using WasmWizard.DaprDouble.PubSub;
using WasmWizard.Distributed.Tests.Infrastructure;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Dapr;
using WasmWizard.Shared.Ports;
using WasmWizard.Tests.Shared;
using static WasmWizard.Distributed.Tests.Infrastructure.ExecutionCalls;

namespace WasmWizard.Distributed.Tests.Executions;

/// <summary>
/// Asynchronous executions through REST in the distributed deployment: the api stores the job and announces it on
/// <c>execution-requests</c>, the executor runs it, and the client polls for the result. A retried submit finds its
/// first execution, and announcing a job again never runs it again.
/// </summary>
public sealed class RestExecutionTests(QueuedExecutionComposition composition)
    : IClassFixture<QueuedExecutionComposition>, IDisposable
{
    private readonly ExecutionProducer _results = new(composition);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => _results.Dispose();

    [Fact]
    public async Task Submit_Accepted_ThenPolledToItsResult()
    {
        var (_, user) = await TestUsers.CreateAsync(composition, "pro");
        using var _ = user;
        var module = await UploadAsync(user);

        using var submitted = await SubmitAsync(user, module, "polled\n");
        var accepted = await BodyAsync(submitted);
        var id = accepted.GetProperty("execution_id").GetGuid();
        var completed = await PollCompletedAsync(user, id);

        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        Assert.Equal($"/api/executions/{id}", submitted.Headers.Location?.OriginalString);
        Assert.Contains(accepted.GetProperty("status").GetString(), new[] { "queued", "running", "completed" });
        Assert.Equal(EchoOf("polled\n"), completed.GetProperty("output").GetString());
        Assert.Equal("exited", completed.GetProperty("outcome").GetString());
        Assert.Equal(module, completed.GetProperty("module_id").GetGuid());
        var answer = await _results.ResultAsync(id);
        Assert.Equal("completed", answer.GetProperty("status").GetString());
        Assert.Equal(EchoOf("polled\n"), answer.GetProperty("output").GetString());
    }

    [Fact]
    public async Task ResubmitWithTheSameIdempotencyKey_TheSameExecution_NotRunAgain()
    {
        var (_, user) = await TestUsers.CreateAsync(composition, "pro");
        using var _ = user;
        var module = await UploadAsync(user);

        using var first = await SubmitAsync(user, module, "once\n", idempotencyKey: "order-17");
        var id = (await BodyAsync(first)).GetProperty("execution_id").GetGuid();
        await PollCompletedAsync(user, id);
        using var again = await SubmitAsync(user, module, "once\n", idempotencyKey: "order-17");
        var repeated = await BodyAsync(again);
        using var different = await SubmitAsync(user, module, "other\n", idempotencyKey: "order-17");
        await composition.Network.WhenIdleAsync(cancellationToken: Token);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(id, repeated.GetProperty("execution_id").GetGuid());
        Assert.Equal("completed", repeated.GetProperty("status").GetString());
        Assert.Equal(EchoOf("once\n"), repeated.GetProperty("output").GetString());
        Assert.Equal(HttpStatusCode.Conflict, different.StatusCode);
        Assert.Equal("idempotency_conflict", (await BodyAsync(different)).GetProperty("code").GetString());

        // A completed job is not announced again.
        Assert.Single(Announcements(id));
        Assert.Single(await ListExecutionsAsync(user));
        Assert.Equal(1, await RunsAuditedAsync(id));
    }

    [Fact]
    public async Task ResubmitWhileStillQueued_AnnouncedAgain_YetRunOnce()
    {
        var (_, user) = await TestUsers.CreateAsync(composition, "pro");
        using var _ = user;
        var module = await UploadAsync(user);

        // While the executor cannot reach its store, its deliveries fail and are retried, so the job stays queued.
        Guid id;
        HttpStatusCode firstStatus, againStatus;
        Guid againId;
        composition.Executor.Sidecar.Faults.StateUnavailable = true;
        try
        {
            using var first = await SubmitAsync(user, module, "queued\n", idempotencyKey: "retry-me");
            firstStatus = first.StatusCode;
            id = (await BodyAsync(first)).GetProperty("execution_id").GetGuid();
            var (_, queued) = await GetExecutionAsync(user, id);
            Assert.Equal("queued", queued.GetProperty("status").GetString());
            using var again = await SubmitAsync(user, module, "queued\n", idempotencyKey: "retry-me");
            againStatus = again.StatusCode;
            againId = (await BodyAsync(again)).GetProperty("execution_id").GetGuid();
            await composition.Network.WhenPublishedAsync(
                DaprNames.ExecutionRequestsTopic,
                e => e.Sequence > Announcements(id)[0].Sequence && ExecutionProducer.RequestIdOf(e) == id,
                cancellationToken: Token);
        }
        finally
        {
            composition.Executor.Sidecar.Faults.StateUnavailable = false;
        }

        var completed = await PollCompletedAsync(user, id);
        await composition.Network.WhenIdleAsync(cancellationToken: Token);

        Assert.Equal(HttpStatusCode.Accepted, firstStatus);
        Assert.Equal(HttpStatusCode.Accepted, againStatus);
        Assert.Equal(id, againId);
        Assert.Equal(EchoOf("queued\n"), completed.GetProperty("output").GetString());
        var announced = Announcements(id);
        Assert.Equal(2, announced.Count);
        Assert.All(announced, e => Assert.Equal(DaprNames.ApiAppId, e.PublisherAppId));
        var deliveries = composition.Network.Deliveries
            .Where(d => d.Topic == DaprNames.ExecutionRequestsTopic && announced.Contains(d.Event))
            .ToList();
        Assert.Equal(2, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal(DeliveryOutcome.Succeeded, d.Outcome));
        Assert.Equal(1, await RunsAuditedAsync(id));
        Assert.Single(await ListExecutionsAsync(user));
        Assert.All(_results.Results(id), r => Assert.Equal(EchoOf("queued\n"), r.GetProperty("output").GetString()));
    }

    [Fact]
    public async Task Submit_TheAnnouncementCarriesNoInput_TheRunStillGetsIt()
    {
        // README: "The input is kept only until the run ends." The broker keeps every event of execution-requests
        // (and of its dead-letter topic) for streamTTL, a week: a REST submit's stdin, args and env must not be in
        // it. The executor runs the stored job; the announcement only has to name it.
        var (_, user) = await TestUsers.CreateAsync(composition, "pro");
        using var _ = user;
        var module = await UploadAsync(user);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/wasm/modules/{module}/executions")
        {
            Content = JsonContent.Create(new
            {
                input = "private stdin\n",
                args = new[] { "--private-arg" },
                env = new Dictionary<string, string> { ["PRIVATE_ENV"] = "private value" },
            }),
        };

        using var submitted = await user.SendAsync(request, Token);
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var id = (await BodyAsync(submitted)).GetProperty("execution_id").GetGuid();
        var completed = await PollCompletedAsync(user, id);

        Assert.Equal(EchoOf("private stdin\n"), completed.GetProperty("output").GetString());
        var announcement = Assert.Single(Announcements(id));
        Assert.DoesNotContain("private", announcement.Json, StringComparison.OrdinalIgnoreCase);
        var stdinBase64 = Convert.ToBase64String("private stdin\n"u8.ToArray());
        Assert.DoesNotContain(stdinBase64, announcement.Json, StringComparison.Ordinal);
    }

    [Fact(Skip = "Bug: in the distributed mode a tenant's cap on runs in flight is counted twice over, once by the "
        + "api (synchronous runs) and once by each executor replica (queued runs), so a free tenant (cap 1) runs one "
        + "synchronous and one queued run per executor replica at once. README: queued runs go through 'its cap on "
        + "runs in flight'. Fix: count every run of a tenant in one place, e.g. in the executor's sandbox for both "
        + "kinds of run (per replica), or in a shared counter (an actor) that the api and the executors both take.")]
    public async Task QueuedRunInProgress_ASynchronousRunOfAFreeTenant_IsOverItsCapOfOne()
    {
        var (tenant, user) = await TestUsers.CreateAsync(composition, "free");
        using var _ = user;
        var sleeper = await UploadAsync(user, Wat.Compile(Wat.Command(
            """(func (export "_start") (call $sleep (i64.const 3600000000000)))""")));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/wasm/modules/{sleeper}/executions")
        {
            Content = JsonContent.Create(new { timeout_ms = 5000 }),
        };
        using var submitted = await user.SendAsync(request, Token);
        var id = (await BodyAsync(submitted)).GetProperty("execution_id").GetGuid();

        // Watched in the store, not through REST: the free tier's burst (5) is kept for the requests under test.
        var jobs = composition.Executor.Services.GetRequiredService<IExecutionJobStore>();
        await Eventually.HoldsAsync(
            async () => (await jobs.GetAsync(tenant, id, Token))?.Status == ExecutionJobStatus.Running,
            TimeSpan.FromSeconds(4),
            TimeSpan.FromMilliseconds(10));

        using var synchronous = await user.PostAsJsonAsync(
            $"/api/wasm/modules/{sleeper}/execute", new { timeout_ms = 100 }, Token);

        Assert.Equal(HttpStatusCode.TooManyRequests, synchronous.StatusCode);
        Assert.Equal("concurrency_limited", (await BodyAsync(synchronous)).GetProperty("code").GetString());
    }

    private List<PublishedEvent> Announcements(Guid id) =>
        [.. composition.Network.Published.Where(
            e => e.Topic == DaprNames.ExecutionRequestsTopic && ExecutionProducer.RequestIdOf(e) == id)];

    private async Task<int> RunsAuditedAsync(Guid id) =>
        (await composition.AuditEventsAsync(Token))
        .Count(e => e.Type == AuditEventTypes.ExecutionCompleted && e.Subject == "execution:" + id);
}
