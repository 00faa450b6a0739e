using System.Net;
using System.Text;
using WasmWizard.DaprDouble.PubSub;
using WasmWizard.Distributed.Tests.Infrastructure;
using WasmWizard.Shared.Dapr;
using static WasmWizard.Distributed.Tests.Infrastructure.ExecutionCalls;

namespace WasmWizard.Distributed.Tests.Executions;

/// <summary>
/// Where execution requests end that cannot be answered: an unreadable one is dropped to
/// <c>execution-requests-dead</c> at once, and one whose handling keeps failing gets there once the sidecar's bounded
/// retries are spent; nothing runs. The executor reads the dead letters too: a readable request there that never ran
/// is answered as refused (<c>undeliverable</c>) once it can be, so its producer is not left waiting.
/// </summary>
public sealed class DeadLetterTests : IAsyncLifetime
{
    // The double's default inbound policy: three retries, 20 ms apart.
    private readonly DistributedComposition _composition = new();
    private ExecutionProducer _producer = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await _composition.InitializeAsync();
        _producer = new ExecutionProducer(_composition);
    }

    public async ValueTask DisposeAsync()
    {
        _producer.Dispose();
        await _composition.DisposeAsync();
    }

    [Theory]
    [InlineData("[1, 2, 3]", "application/json")]
    [InlineData("{\"tenant_id\": \"7f1b0f1e-3c2a-4d5e-8f90-1a2b3c4d5e6f\"}", "application/json")]
    [InlineData("{\"request_id\": \"not a uuid\"}", "application/json")]
    [InlineData("run something, please", "text/plain")]
    public async Task UnreadableRequest_DroppedToTheDeadLetterTopic_Unanswered(string data, string contentType)
    {
        await _producer.PublishRawAsync(Encoding.UTF8.GetBytes(data), contentType);

        var delivery = await _composition.Network.WhenDeliveredAsync(
            DaprNames.ExecutionRequestsTopic, cancellationToken: Token);
        var deadLetter = await _composition.Network.WhenPublishedAsync(
            DaprNames.ExecutionRequestsDeadLetterTopic, cancellationToken: Token);
        await _composition.Network.WhenIdleAsync(cancellationToken: Token);

        Assert.Equal(DeliveryOutcome.Dropped, delivery.Outcome);
        var attempt = Assert.Single(delivery.Attempts);
        Assert.Equal("DROP", attempt.AppStatus);
        Assert.Equal(DaprNames.ExecutionRequestsDeadLetterTopic, delivery.DeadLetterTopic);
        Assert.Equal(delivery.Event.Id, deadLetter.Id);
        Assert.Equal(delivery.Event.Json, deadLetter.Json);
        Assert.DoesNotContain(_composition.Network.Published, e => e.Topic == DaprNames.ExecutionResultsTopic);
    }

    [Fact]
    public async Task HandlingKeepsFailing_RetriedThenDeadLettered_NothingRunOrStored()
    {
        var (tenant, user) = await TestUsers.CreateAsync(_composition, "pro");
        using var _ = user;
        var module = await UploadAsync(user);
        var id = Guid.NewGuid();

        // The executor's store is gone for as long as the sidecar keeps retrying, and still while the dead letter is
        // delivered back to the executor, as with a broken database: nothing can be stored or answered.
        Delivery delivery;
        Delivery deadLetterDelivery;
        _composition.Executor.Sidecar.Faults.StateUnavailable = true;
        try
        {
            await _producer.PublishAsync(ExecutionProducer.Request(id, tenant, module, "poison"));
            delivery = await _composition.Network.WhenDeliveredAsync(
                DaprNames.ExecutionRequestsTopic, d => ExecutionProducer.RequestIdOf(d.Event) == id,
                cancellationToken: Token);
            deadLetterDelivery = await _composition.Network.WhenDeliveredAsync(
                DaprNames.ExecutionRequestsDeadLetterTopic, d => ExecutionProducer.RequestIdOf(d.Event) == id,
                cancellationToken: Token);
        }
        finally
        {
            _composition.Executor.Sidecar.Faults.StateUnavailable = false;
        }

        var deadLetter = await _composition.Network.WhenPublishedAsync(
            DaprNames.ExecutionRequestsDeadLetterTopic, e => ExecutionProducer.RequestIdOf(e) == id,
            cancellationToken: Token);
        await _composition.Network.WhenIdleAsync(cancellationToken: Token);

        // The dead letter has no dead-letter topic of its own: it stays in its stream for operators.
        Assert.Equal(DeliveryOutcome.RetriesExhausted, deadLetterDelivery.Outcome);
        Assert.Null(deadLetterDelivery.DeadLetterTopic);

        Assert.Equal(DeliveryOutcome.RetriesExhausted, delivery.Outcome);
        Assert.Equal(_composition.DeliveryRetry.MaxRetries + 1, delivery.Attempts.Count);
        Assert.All(delivery.Attempts, a => Assert.Equal(DeliveryVerdict.Retry, a.Verdict));
        Assert.All(delivery.Attempts, a => Assert.Equal((int)HttpStatusCode.ServiceUnavailable, a.StatusCode));
        Assert.Equal(DaprNames.ExecutionRequestsDeadLetterTopic, delivery.DeadLetterTopic);
        Assert.Equal(delivery.Event.Id, deadLetter.Id);
        Assert.Empty(_producer.Results(id));
        Assert.Equal(HttpStatusCode.NotFound, (await GetExecutionAsync(user, id)).Status);
    }

    [Fact]
    public async Task DeadLetteredRequestThatNeverRan_AnsweredAsUndeliverable_AndStoredSo()
    {
        var (tenant, user) = await TestUsers.CreateAsync(_composition, "pro");
        using var _ = user;
        var module = await UploadAsync(user);
        var id = Guid.NewGuid();

        // As the executor's sidecar republishes a request whose retries ran out (no capacity, a store down).
        var request = ExecutionProducer.Request(id, tenant, module, "never ran");
        await _producer.PublishRawAsync(
            Encoding.UTF8.GetBytes(request.ToJsonString()), "application/json", DaprNames.ExecutionRequestsDeadLetterTopic);
        var answer = await _producer.ResultAsync(id);
        var (status, stored) = await GetExecutionAsync(user, id);

        Assert.Equal("refused", answer.GetProperty("status").GetString());
        Assert.Equal("undeliverable", answer.GetProperty("refusal").GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("completed", stored.GetProperty("status").GetString());
        Assert.Equal("rejected", stored.GetProperty("outcome").GetString());
        Assert.DoesNotContain(_composition.Network.Published, e => e.Topic == DaprNames.ExecutionRequestsTopic);
    }
}
