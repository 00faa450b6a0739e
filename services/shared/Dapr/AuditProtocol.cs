using System.Text.Json;

namespace WasmWizard.Shared.Dapr;

/// <summary>
/// The audit service's internal endpoints, which the api reaches through its sidecar (service invocation to
/// <see cref="DaprNames.AuditAppId"/>) to answer <c>/api/audit/*</c>. Not the public REST contract: the api decides
/// whose events a caller may read before it asks.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>POST internal/v1/audit/query</c>, a JSON <c>AuditQuery</c>: 200 with an <c>AuditPage</c>, or 400 when the
/// query (its cursor) is not valid.</item>
/// <item><c>POST internal/v1/audit/verify</c>, a JSON <c>AuditChainScope</c>: 200 with a <c>ChainReport</c>.</item>
/// </list>
/// POST, though both only read: a query carries an opaque cursor and filters that are safer in a body than in a URL
/// that sidecars log.
/// </remarks>
public static class AuditProtocol
{
    /// <summary>One page of events.</summary>
    public const string QueryRoute = "internal/v1/audit/query";

    /// <summary>The hash chains' check.</summary>
    public const string VerifyRoute = "internal/v1/audit/verify";

    /// <summary>How both sides write and read the bodies.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web);
}
