using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using WasmWizard.Distributed.Tests.Infrastructure;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Tests.Shared;
using static WasmWizard.Distributed.Tests.Infrastructure.ExecutionCalls;

namespace WasmWizard.Distributed.Tests.Executions;

/// <summary>
/// The distributed deployment's <c>/metrics</c> after queued runs: the executor, which runs them, counts each once
/// with its tenant's tier and mode <c>queued</c> and records its queue wait, whether a producer published it or the
/// api queued a REST submit; the api, which ran none of them, counts none; the audit service shows their events
/// written, with their lag.
/// </summary>
[Collection(MetricsCollection.Name)]
public sealed class QueuedExecutionMetricsTests(QueuedExecutionComposition composition)
    : IClassFixture<QueuedExecutionComposition>, IDisposable
{
    private const string Executions = "wasmwizard_executions_total";
    private const string QueueWaits = "wasmwizard_execution_queue_wait_seconds_count";
    private const string Written = "wasmwizard_audit_events_written_total";

    private static readonly (string, string)[] RunByPro = [("outcome", "exited"), ("tier", "pro"), ("mode", "queued")];

    private readonly ExecutionProducer _producer = new(composition);

    public void Dispose() => _producer.Dispose();

    [Fact]
    public async Task PublishedAndSubmittedRuns_CountedByTheExecutorAsQueued_AuditServiceShowsThemWritten()
    {
        using var executorLog = new MeasurementLog(
            composition.Executor.Services.GetRequiredService<IMeterFactory>(),
            "wasmwizard.executions",
            "wasmwizard.execution.queue_wait");
        using var apiLog = new MeasurementLog(
            composition.Api.Services.GetRequiredService<IMeterFactory>(), "wasmwizard.executions");
        var (tenant, user) = await TestUsers.CreateAsync(composition, "pro");
        using var _ = user;
        var module = await UploadAsync(user);
        using var executor = composition.Executor.CreateClient();
        using var audit = composition.Audit.CreateClient();
        var executorBefore = await PrometheusScrape.OfAsync(executor);
        var auditBefore = await PrometheusScrape.OfAsync(audit);

        var published = Guid.NewGuid();
        await _producer.PublishAsync(ExecutionProducer.Request(published, tenant, module, "published\n"));
        var answer = await _producer.ResultAsync(published);
        using var submitted = await SubmitAsync(user, module, "submitted\n");
        var queued = (await BodyAsync(submitted)).GetProperty("execution_id").GetGuid();
        var completed = await PollCompletedAsync(user, queued);
        var executorAfter = await PrometheusScrape.OfAsync(executor);

        // The audit service writes the executor's events as the broker delivers them: wait for both.
        var auditAfter = auditBefore;
        await Eventually.HoldsAsync(
            async () =>
            {
                auditAfter = await PrometheusScrape.OfAsync(audit);
                return auditAfter.Since(auditBefore, Written, ("type", AuditEventTypes.ExecutionCompleted)) >= 2;
            },
            TimeSpan.FromSeconds(10),
            TimeSpan.FromMilliseconds(20));

        Assert.Equal("exited", answer.GetProperty("outcome").GetString());
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        Assert.Equal("exited", completed.GetProperty("outcome").GetString());
        Assert.True(executorAfter.Since(executorBefore, Executions, RunByPro) >= 2);
        Assert.True(executorAfter.Since(executorBefore, QueueWaits, ("tier", "pro")) >= 2);
        Assert.True(auditAfter.Since(auditBefore, "wasmwizard_audit_lag_seconds_count") >= 2);

        // This deployment's own instruments: each run counted once, by the service that ran it.
        var counted = executorLog.Of("wasmwizard.executions");
        Assert.Equal(2, counted.Count(m => m.Tags["mode"] == "queued" && m.Tags["tier"] == "pro"));
        Assert.Equal(2, executorLog.Of("wasmwizard.execution.queue_wait").Count);
        Assert.Empty(apiLog.Of("wasmwizard.executions"));
    }
}
