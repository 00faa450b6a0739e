using Microsoft.Extensions.Logging;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Audit;

/// <summary>
/// The store as readers reach it (the api in the embedded host, the audit service's verify route in the distributed
/// one): a verification that finds a chain broken is counted and logged where the trail lives, so an alert fires
/// whichever store is in use and whoever asked.
/// </summary>
public sealed class MeteredAuditReader(IAuditEventStore store, AuditMetrics metrics, ILogger<MeteredAuditReader> logger)
    : IAuditReader
{
    /// <inheritdoc />
    public Task<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken) =>
        store.QueryAsync(query, cancellationToken);

    /// <inheritdoc />
    public async Task<ChainReport> VerifyAsync(AuditChainScope scope, CancellationToken cancellationToken)
    {
        var report = await store.VerifyAsync(scope, cancellationToken).ConfigureAwait(false);
        if (!report.Intact)
        {
            metrics.VerificationFailed();
            Log.ChainBroken(logger, report.Breaks.Count, report.ChainsChecked);
        }

        return report;
    }
}
