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
/// retries are spent. Neither is answered on <c>execution-results</c>, and nothing runs.
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

        // The executor's store is gone for as long as the sidecar keeps retrying, as with a broken database.
        Delivery delivery;
        _composition.Executor.Sidecar.Faults.StateUnavailable = true;
        try
        {
            await _producer.PublishAsync(ExecutionProducer.Request(id, tenant, module, "poison"));
            delivery = await _composition.Network.WhenDeliveredAsync(
                DaprNames.ExecutionRequestsTopic, d => ExecutionProducer.RequestIdOf(d.Event) == id,
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

        Assert.Equal(DeliveryOutcome.RetriesExhausted, delivery.Outcome);
        Assert.Equal(_composition.DeliveryRetry.MaxRetries + 1, delivery.Attempts.Count);
        Assert.All(delivery.Attempts, a => Assert.Equal(DeliveryVerdict.Retry, a.Verdict));
        Assert.All(delivery.Attempts, a => Assert.Equal((int)HttpStatusCode.ServiceUnavailable, a.StatusCode));
        Assert.Equal(DaprNames.ExecutionRequestsDeadLetterTopic, delivery.DeadLetterTopic);
        Assert.Equal(delivery.Event.Id, deadLetter.Id);
        Assert.Empty(_producer.Results(id));
        Assert.Equal(HttpStatusCode.NotFound, (await GetExecutionAsync(user, id)).Status);
    }
}
