using System.Diagnostics;
using System.Net;
using System.Text.Json;
using WasmWizard.DaprDouble.PubSub;
using WasmWizard.Distributed.Tests.Infrastructure;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Dapr;
using static WasmWizard.Distributed.Tests.Infrastructure.ExecutionCalls;

namespace WasmWizard.Distributed.Tests.Executions;

/// <summary>
/// A burst of 1,000 queued executions from ten pro tenants, half submitted through REST and half published by a
/// producer, against one executor that runs at most a few at a time: every one completes, once.
/// </summary>
public sealed class BurstTests : IAsyncLifetime
{
    private const int Tenants = 10;

    // The pro tier's burst: each submit and each published request is charged once, so none is rate limited.
    private const int PerTenant = 100;

    // The double hands the whole backlog to the executor at once (it has no per-subscription concurrency limit).
    // The executor takes as many at a time as its sandbox runs and asks for a retry of the odd one that finds its
    // tenant's share of the sandbox taken, so retries get a window of a few seconds rather than the default 60 ms.
    private readonly DistributedComposition _composition = new()
    {
        DeliveryRetry = new DeliveryRetryPolicy { MaxRetries = 100, Interval = TimeSpan.FromMilliseconds(50) },
    };

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

    [Fact]
    public async Task ThousandQueuedExecutions_FromTenTenants_EveryOneCompletedOnce()
    {
        var (_, owner) = await TestUsers.CreateAsync(_composition, "pro");
        using var ownerClient = owner;
        var module = await UploadAsync(owner, isPublic: true);
        var tenants = await Task.WhenAll(
            Enumerable.Range(0, Tenants).Select(_ => TestUsers.CreateAsync(_composition, "pro")));
        var clock = Stopwatch.StartNew();

        var queued = (await Task.WhenAll(tenants.Select(t => QueueAsync(t.Id, t.Client, module))))
            .SelectMany(q => q)
            .ToList();
        var submittedIn = clock.Elapsed;
        await _composition.Network.WhenIdleAsync(TimeSpan.FromSeconds(120), Token);
        var doneIn = clock.Elapsed;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{queued.Count} executions queued in {submittedIn.TotalSeconds:F1} s, "
            + $"all handled in {doneIn.TotalSeconds:F1} s");

        Assert.Equal(Tenants * PerTenant, queued.Count);
        Assert.Equal(queued.Count, queued.Select(q => q.Id).Distinct().Count());

        // None lost: every request was acknowledged, none dead-lettered, and each was answered with its own output.
        var requests = _composition.Network.Deliveries.Where(d => d.Topic == DaprNames.ExecutionRequestsTopic).ToList();
        Assert.All(requests, d => Assert.Equal(DeliveryOutcome.Succeeded, d.Outcome));
        Assert.DoesNotContain(
            _composition.Network.Published, e => e.Topic == DaprNames.ExecutionRequestsDeadLetterTopic);
        var answers = _composition.Network.Published
            .Where(e => e.Topic == DaprNames.ExecutionResultsTopic)
            .ToLookup(e => ExecutionProducer.RequestIdOf(e) ?? Guid.Empty, e => e.DataAs<JsonElement>());

        // Failures name the execution ids only, never a run's input or output.
        var unanswered = queued.Where(q => !answers.Contains(q.Id)).Select(q => q.Id).ToList();
        var misanswered = queued
            .Where(q => answers[q.Id].Any(a => a.GetProperty("status").GetString() != "completed"
                || a.GetProperty("output").GetString() != EchoOf(q.Stdin)))
            .Select(q => q.Id)
            .ToList();
        Assert.True(unanswered.Count == 0, $"never answered: {string.Join(", ", unanswered)}");
        Assert.True(misanswered.Count == 0, $"answered wrongly: {string.Join(", ", misanswered)}");

        // None run twice: one run in the audit trail per execution.
        var runs = (await _composition.AuditEventsAsync(10_000, Token))
            .Where(e => e.Type == AuditEventTypes.ExecutionCompleted)
            .GroupBy(e => e.Subject)
            .ToDictionary(g => g.Key!, g => g.Count());
        var notRunOnce = queued.Where(q => runs.GetValueOrDefault("execution:" + q.Id) != 1).Select(q => q.Id).ToList();
        Assert.True(notRunOnce.Count == 0, $"not run exactly once: {string.Join(", ", notRunOnce)}");

        // And each tenant sees its hundred executions, all completed.
        foreach (var (_, client) in tenants)
        {
            var listed = await ListExecutionsAsync(client);
            Assert.Equal(PerTenant, listed.Count);
            Assert.All(listed, e => Assert.Equal("exited", e.GetProperty("outcome").GetString()));
            client.Dispose();
        }
    }

    // Half through REST, one after the other as a client script would; half published by a producer at once.
    private async Task<IReadOnlyList<(Guid Id, string Stdin)>> QueueAsync(Guid tenant, HttpClient user, Guid module)
    {
        async Task<IReadOnlyList<(Guid, string)>> SubmitAsync()
        {
            var submitted = new List<(Guid, string)>();
            for (var i = 0; i < PerTenant / 2; i++)
            {
                var stdin = $"rest {tenant} {i}\n";
                using var response = await ExecutionCalls.SubmitAsync(user, module, stdin);
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                submitted.Add(((await BodyAsync(response)).GetProperty("execution_id").GetGuid(), stdin));
            }

            return submitted;
        }

        async Task<IReadOnlyList<(Guid, string)>> PublishAsync()
        {
            var requests = Enumerable.Range(0, PerTenant - (PerTenant / 2))
                .Select(i => (Id: Guid.NewGuid(), Stdin: $"published {tenant} {i}\n"))
                .ToList();
            await Task.WhenAll(requests.Select(r =>
                _producer.PublishAsync(ExecutionProducer.Request(r.Id, tenant, module, r.Stdin))));
            return [.. requests.Select(r => (r.Id, r.Stdin))];
        }

        var both = await Task.WhenAll(SubmitAsync(), PublishAsync());
        return [.. both.SelectMany(b => b)];
    }
}
