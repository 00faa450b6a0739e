using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace WasmWizard.Api.Http;

/// <summary>
/// The request budget of one client address for requests without a valid credential. IPv6 clients are counted by
/// their /64 prefix, since one client usually holds the whole prefix.
/// </summary>
public sealed class AddressBudget : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    /// <summary>Creates the budget from the api options.</summary>
    public AddressBudget(IOptions<ApiOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        _limiter = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetTokenBucketLimiter(
            address,
            _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = settings.AnonymousBurst,
                TokensPerPeriod = 1,
                ReplenishmentPeriod = TimeSpan.FromSeconds(60.0 / settings.AnonymousRequestsPerMinute),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    /// <summary>The partition an address counts against.</summary>
    public static string PartitionOf(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    /// <summary>Spends a token; returns how long to wait when there is none.</summary>
    public TimeSpan? TrySpend(string partition)
    {
        using var lease = _limiter.AttemptAcquire(partition);
        if (lease.IsAcquired)
        {
            return null;
        }

        return lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
    }

    /// <summary>Whether the partition has spent its budget (without spending anything).</summary>
    public bool IsSpent(string partition) => _limiter.GetStatistics(partition)?.CurrentAvailablePermits <= 0;

    /// <inheritdoc />
    public void Dispose() => _limiter.Dispose();
}
