using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using WasmWizard.Distributed.Tests.Infrastructure;
using WasmWizard.Executor.Sandbox;
using WasmWizard.Shared.Dapr;
using WasmWizard.Tests.Shared;
using static WasmWizard.Distributed.Tests.Infrastructure.ExecutionCalls;

namespace WasmWizard.Distributed.Tests.Wiring;

/// <summary>
/// One trace across the three services: a client's <c>traceparent</c> is continued by the api, carried through the
/// sidecars to the executor (invocation), whose sandbox spans hang below it, and through the broker to the audit
/// service (the CloudEvent's <c>traceparent</c>, handed to the app as a header on delivery).
/// </summary>
public sealed class TracePropagationTests(DistributedComposition composition)
    : IClassFixture<DistributedComposition>, IDisposable
{
    private readonly SpanRecorder _spans = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => _spans.Dispose();

    [Fact]
    public async Task ExecuteWithClientTraceparent_ApiExecutorAndAuditDelivery_AllInTheClientsTrace()
    {
        var (_, user) = await TestUsers.CreateAsync(composition, "pro");
        using var _ = user;
        var module = await UploadAsync(user);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/wasm/modules/{module}/execute")
        {
            Content = JsonContent.Create(new { input = "traced" }),
        };
        var (response, traceId, api) = await _spans.SendAsync(user, request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ActivityKind.Server, api.Kind);
        Assert.Contains($"/api/wasm/modules/{module}/execute", SpanRecorder.PathOf(api), StringComparison.Ordinal);

        var executor = await _spans.WhenFinishedAsync(traceId, ServerSpanOf("/" + ExecutorProtocol.RunRoute));
        Assert.True(_spans.IsAncestor(api, executor), "the executor's request span does not descend from the api's");
        var run = await _spans.WhenFinishedAsync(
            traceId, s => s.Source.Name == SandboxTelemetry.SourceName && s.OperationName == "run");
        Assert.True(_spans.IsAncestor(executor, run), "the run span does not descend from the executor's request");
        Assert.Equal("exited", run.GetTagItem(SandboxTelemetry.OutcomeTag));

        // The api published the execution's audit event inside the request; the broker delivered it with the trace.
        var delivery = await composition.Network.WhenDeliveredAsync(
            DaprNames.AuditTopic,
            d => d.SubscriberAppId == DaprNames.AuditAppId && TraceIdOf(d.Event.CloudEvent) == traceId.ToString(),
            cancellationToken: Token);
        var audit = await _spans.WhenFinishedAsync(traceId, ServerSpanOf("/" + delivery.Subscription.Route.TrimStart('/')));
        Assert.True(_spans.IsAncestor(api, audit), "the audit delivery span does not descend from the api's request");
    }

    [Fact]
    public async Task SubmitWithClientTraceparent_QueuedRunAndItsResult_StayInTheClientsTrace()
    {
        var (_, user) = await TestUsers.CreateAsync(composition, "pro");
        using var _ = user;
        var module = await UploadAsync(user);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/wasm/modules/{module}/executions")
        {
            Content = JsonContent.Create(new { input = "queued" }),
        };
        var (response, traceId, api) = await _spans.SendAsync(user, request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var job = await composition.Network.WhenDeliveredAsync(
            DaprNames.ExecutionRequestsTopic,
            d => TraceIdOf(d.Event.CloudEvent) == traceId.ToString(),
            cancellationToken: Token);
        var executor = await _spans.WhenFinishedAsync(traceId, ServerSpanOf("/" + job.Subscription.Route.TrimStart('/')));
        Assert.True(_spans.IsAncestor(api, executor), "the executor's delivery span does not descend from the api's");
        var run = await _spans.WhenFinishedAsync(
            traceId, s => s.Source.Name == SandboxTelemetry.SourceName && s.OperationName == "run");
        Assert.True(_spans.IsAncestor(executor, run), "the queued run's span does not descend from its delivery");
        var result = await composition.Network.WhenPublishedAsync(
            DaprNames.ExecutionResultsTopic, e => TraceIdOf(e.CloudEvent) == traceId.ToString(), cancellationToken: Token);
        Assert.Equal(DaprNames.ExecutorAppId, result.PublisherAppId);
    }

    private static Func<Activity, bool> ServerSpanOf(string path) => s => s.Source.Name == SpanRecorder.AspNetCoreSource
        && s.Kind == ActivityKind.Server
        && SpanRecorder.PathOf(s).EndsWith(path, StringComparison.Ordinal)
        && !SpanRecorder.PathOf(s).Contains("/v1.0/", StringComparison.Ordinal);

    // The trace id of a CloudEvent's W3C traceparent ("00-<trace id>-<parent id>-<flags>").
    private static string? TraceIdOf(System.Text.Json.JsonElement cloudEvent) =>
        cloudEvent.TryGetProperty("traceparent", out var value) && value.GetString() is { Length: 55 } traceParent
            ? traceParent[3..35]
            : null;
}
