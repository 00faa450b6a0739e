using WasmWizard.Shared.Contracts;

namespace WasmWizard.Api;

/// <summary>Limits and policy of the public REST surface.</summary>
/// <remarks>
/// Configuration shape (section <c>Api</c>):
/// <code>
/// "Api": {
///   "MaxModuleBytes": 16777216, "MaxInputBytes": 1048576, "MaxJsonBodyBytes": 4194304,
///   "MaxMultipartParts": 16, "MaxFieldBytes": 262144, "DefaultPageSize": 20, "MaxPageSize": 100,
///   "DefaultTimeoutMs": 5000, "DefaultMemoryLimitMb": 128, "AdminKeyFile": "data/admin-api-key",
///   "AnonymousRequestsPerMinute": 60, "AnonymousBurst": 20, "ExecutionResultRetentionHours": 24,
///   "TrustForwardedHeaders": false, "ForwardedHopsTrusted": 2, "AdminApiKey": null,
///   "Tiers": { "free": { "MaxTimeoutMs": 5000, "MaxMemoryLimitMb": 128, "MaxFuel": null, "RequestsPerMinute": 10,
///     "RequestsPerHour": 100, "Burst": 5, "MaxConcurrentExecutions": 1,
///     "MaxConcurrentUploads": 1, "MaxModules": 10, "MaxStoredMb": 50 }, ... }
/// }
/// </code>
/// </remarks>
public sealed class ApiOptions : TierSettings
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Api";

    /// <summary>Largest module accepted by upload or ad-hoc execute.</summary>
    public long MaxModuleBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Largest stdin accepted.</summary>
    public int MaxInputBytes { get; set; } = 1024 * 1024;

    /// <summary>Largest JSON request body.</summary>
    public int MaxJsonBodyBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Most parts in one multipart body.</summary>
    public int MaxMultipartParts { get; set; } = 16;

    /// <summary>Largest plain (non-file) multipart field.</summary>
    public int MaxFieldBytes { get; set; } = 256 * 1024;

    /// <summary>Page size when a listing asks for none.</summary>
    public int DefaultPageSize { get; set; } = 20;

    /// <summary>Largest page size a listing may ask for.</summary>
    public int MaxPageSize { get; set; } = 100;

    /// <summary>Where the first start writes the admin API key (owner-only permissions).</summary>
    public string AdminKeyFile { get; set; } = Path.Combine("data", "admin-api-key");

    /// <summary>Origins allowed to call the api from a browser; none (the default) means CORS is off.</summary>
    public string[] CorsAllowedOrigins { get; set; } = [];

    /// <summary>Largest total size of a request's headers.</summary>
    public int MaxRequestHeaderBytes { get; set; } = 32 * 1024;

    /// <summary>Most headers in one request.</summary>
    public int MaxRequestHeaderCount { get; set; } = 64;

    /// <summary>Largest request line (method, path and query).</summary>
    public int MaxRequestLineBytes { get; set; } = 8 * 1024;

    /// <summary>Most active (unrevoked, unexpired) API keys one user may hold.</summary>
    public int MaxActiveKeysPerUser { get; set; } = 20;

    /// <summary>How often the keys' last-use times are written to the store.</summary>
    public int KeyUsageFlushSeconds { get; set; } = 30;

    /// <summary>Requests per minute one client address may send without a valid credential.</summary>
    public int AnonymousRequestsPerMinute { get; set; } = 60;

    /// <summary>Requests one client address may send at once without a valid credential.</summary>
    public int AnonymousBurst { get; set; } = 20;

    /// <summary>
    /// How long the result of an asynchronous execution is kept after it finished; its idempotency key is
    /// remembered as long.
    /// </summary>
    public int ExecutionResultRetentionHours { get; set; } = 24;

    /// <summary>
    /// Whether a request that came through the api's own Dapr sidecar (it carries <c>APP_API_TOKEN</c>) takes its
    /// client address from <c>X-Forwarded-For</c>, as it must behind the Dapr ingress. Off by default: the client
    /// address is the connection's.
    /// </summary>
    public bool TrustForwardedHeaders { get; set; }

    /// <summary>
    /// How many proxies in front of the api append to <c>X-Forwarded-For</c> and are trusted: the ingress
    /// controller and its sidecar (2). The client address is the entry this many places from the right.
    /// </summary>
    public int ForwardedHopsTrusted { get; set; } = 2;

    /// <summary>
    /// An admin API key an operator provides (from a Kubernetes Secret, say). When set, no key file is written:
    /// this key is made a valid admin key, and earlier provided or generated admin keys are revoked.
    /// </summary>
    public string? AdminApiKey { get; set; }
}
