using System.Globalization;
using WasmWizard.DaprDouble.PubSub;

namespace WasmWizard.Distributed.Tests.Infrastructure;

/// <summary>
/// The <see cref="DistributedComposition"/> for tests of queued executions: deliveries the executor asks to retry
/// (no free slot for the tenant) are retried for up to about 10 s rather than 60 ms, so a test's handful of queued
/// runs of one tenant all get their turn; and the basic tier keeps at most <see cref="BasicPendingCap"/> executions
/// queued, so a backlog is reachable within the tier's burst.
/// </summary>
public sealed class QueuedExecutionComposition : DistributedComposition
{
    /// <summary>The basic tier's <c>MaxPendingExecutions</c> here.</summary>
    public const int BasicPendingCap = 2;

    /// <summary>The composition with the retry window and tier settings above.</summary>
    public QueuedExecutionComposition()
    {
        DeliveryRetry = new DeliveryRetryPolicy { MaxRetries = 500, Interval = TimeSpan.FromMilliseconds(20) };
        ExtraSettings = new Dictionary<string, string?>
        {
            ["Api:Tiers:basic:MaxPendingExecutions"] = BasicPendingCap.ToString(CultureInfo.InvariantCulture),
        };
    }
}
