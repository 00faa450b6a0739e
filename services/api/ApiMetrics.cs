using System.Diagnostics.Metrics;

namespace WasmWizard.Api;

/// <summary>
/// The api's instruments, on the meter <see cref="MeterName"/> that <c>/metrics</c> exports: refusals for spent limits
/// by tier, and failed authentications by credential kind. Labels come from small fixed sets (tiers, limits, kinds),
/// never from tenants, keys or input. Executions are counted by
/// <see cref="WasmWizard.Shared.Execution.ExecutionMetrics"/>, which every service that runs them shares.
/// </summary>
public sealed class ApiMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "WasmWizard.Api";

    /// <summary>The tier label of a caller without a valid credential.</summary>
    public const string Anonymous = "anonymous";

    private readonly Counter<long> _refusals;
    private readonly Counter<long> _authenticationFailures;

    /// <summary>Creates the instruments on a meter of <paramref name="meters"/>.</summary>
    public ApiMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _refusals = meter.CreateCounter<long>(
            "wasmwizard.rate_limit.refusals", "{request}", "Requests refused for a spent limit, by tier and limit.");
        _authenticationFailures = meter.CreateCounter<long>(
            "wasmwizard.auth.failures", "{request}", "Requests whose credential did not authenticate, by kind (api_key, jwt, other).");
    }

    /// <summary>Counts a refusal for a spent <paramref name="limit"/> (credential, address, concurrency).</summary>
    public void Refused(string tier, string limit) =>
        _refusals.Add(1, new KeyValuePair<string, object?>("tier", tier), new KeyValuePair<string, object?>("limit", limit));

    /// <summary>Counts a credential of <paramref name="kind"/> that did not authenticate.</summary>
    public void AuthenticationFailed(string kind) =>
        _authenticationFailures.Add(1, new KeyValuePair<string, object?>("kind", kind));
}
