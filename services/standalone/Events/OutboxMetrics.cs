using System.Diagnostics.Metrics;
using Microsoft.Data.Sqlite;
using WasmWizard.Shared.Dapr;

namespace WasmWizard.Standalone.Events;

/// <summary>
/// The backlog of audit events the embedded host has published but not yet written into the trail, read from the
/// outbox on each scrape: it grows while the audit store refuses events, and the trail catches up when it drains.
/// </summary>
/// <remarks>
/// A hosted service only so that the gauge exists from the start, before anything asked for it; it runs nothing.
/// </remarks>
public sealed class OutboxMetrics : IHostedService
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "WasmWizard.Outbox";

    private readonly SqliteEventOutbox _outbox;

    /// <summary>Creates the gauge on a meter of <paramref name="meters"/>.</summary>
    public OutboxMetrics(IMeterFactory meters, SqliteEventOutbox outbox)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _outbox = outbox;
        meters.Create(MeterName).CreateObservableGauge(
            "wasmwizard.audit.outbox.pending",
            Observe,
            "{event}",
            "Audit events published in this host and not yet written into the trail.");
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private IEnumerable<Measurement<long>> Observe()
    {
        long pending;
        try
        {
            // Microsoft.Data.Sqlite completes its async calls synchronously, so this blocks no other thread.
            pending = _outbox.CountAsync(DaprNames.AuditTopic, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (SqliteException)
        {
            // The database cannot be read now: no sample rather than a wrong one, and the scrape still answers.
            return [];
        }

        return [new Measurement<long>(pending)];
    }
}
