using System.Text.Json;
using System.Text.Json.Serialization;

namespace WasmWizard.Shared.Dapr;

/// <summary>
/// The executor's internal endpoints, which the api reaches through its sidecar (service invocation to
/// <see cref="DaprNames.ExecutorAppId"/>). They are not the public REST contract, and both sides build requests and
/// answers from the names here.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>POST internal/v1/modules</c>, body <c>application/wasm</c> (the module): 200 with a
/// <c>PreparedModule</c>.</item>
/// <item><c>POST internal/v1/runs</c>, <c>multipart/form-data</c> with the parts <see cref="RequestPart"/> (JSON,
/// <see cref="ExecutorRunRequestDto"/>), <see cref="StdinPart"/> (bytes) and, for an ad-hoc run only,
/// <see cref="ModulePart"/> (bytes): 200 with a <c>RunResult</c>. Binary parts, not base64 in JSON, so a 16 MiB
/// module stays 16 MiB on the wire.</item>
/// <item><c>DELETE internal/v1/modules/{sha256}</c>: 204.</item>
/// </list>
/// Refusals are RFC 9457 problem details whose <c>type</c> is one of <see cref="ExecutorProblemTypes"/> and whose
/// <c>code</c> member is stable; busy answers carry <c>Retry-After</c>. Refusals the caller caused come with
/// <see cref="RefusalStatus"/>, the executor's own trouble with 4xx or 5xx, so that only the latter counts against
/// the executor in the api sidecar's circuit breaker (components/resiliency-api.yaml). A request travels through two
/// sidecars, so
/// each needs a <c>maxBodySize</c> of at least <see cref="RecommendedSidecarMaxBodySize"/> for the largest
/// module plus its input.
/// </remarks>
public static class ExecutorProtocol
{
    /// <summary>Validates and compiles a module.</summary>
    public const string PrepareRoute = "internal/v1/modules";

    /// <summary>Runs a module once.</summary>
    public const string RunRoute = "internal/v1/runs";

    /// <summary>The query parameter of <see cref="PrepareRoute"/> naming whose upload it is.</summary>
    public const string TenantParameter = "tenant";

    /// <summary>The path that prepares a module uploaded by <paramref name="tenant"/> (or by no one).</summary>
    public static string PreparePath(string? tenant) => tenant is null
        ? PrepareRoute
        : PrepareRoute + "?" + TenantParameter + "=" + Uri.EscapeDataString(tenant);

    /// <summary>Forgets a module (route template; see <see cref="ForgetPath"/>).</summary>
    public const string ForgetRoute = "internal/v1/modules/{sha256}";

    /// <summary>The JSON part of a run.</summary>
    public const string RequestPart = "request";

    /// <summary>The guest's stdin.</summary>
    public const string StdinPart = "stdin";

    /// <summary>The module of an ad-hoc run.</summary>
    public const string ModulePart = "module";

    /// <summary>The media type of a module.</summary>
    public const string WasmMediaType = "application/wasm";

    /// <summary>
    /// The status of a refusal the caller caused (module or run refused, tenant over its share, module bytes gone):
    /// a successful call whose <c>application/problem+json</c> body says what was refused. The body's own
    /// <c>status</c> member holds the status the refusal means.
    /// </summary>
    public const int RefusalStatus = 200;

    /// <summary>The problem member holding the stable code.</summary>
    public const string CodeMember = "code";

    /// <summary>The problem member naming what did not answer, for a dependency_unavailable refusal.</summary>
    public const string DependencyMember = "dependency";

    /// <summary>
    /// The <c>maxBodySize</c> every sidecar on the path needs with the default sandbox limits: a 16 MiB module, 1
    /// MiB of input and the run's JSON. (Module bytes also pass through the state store's gRPC messages.)
    /// </summary>
    public const string RecommendedSidecarMaxBodySize = "18Mi";

    /// <summary>How requests and answers are written, and how answers are read: unknown members are ignored, so
    /// an api and an executor one version apart still understand each other.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.Strict,
    };

    /// <summary>How the executor reads what it receives: nothing missing, nothing extra, nothing twice.</summary>
    public static JsonSerializerOptions StrictJson { get; } = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.Strict,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowDuplicateProperties = false,
    };

    /// <summary>The path that forgets the module <paramref name="sha256"/> (a lower-case hex SHA-256).</summary>
    /// <exception cref="ArgumentException">Not a lower-case hex SHA-256, which must never reach a path.</exception>
    public static string ForgetPath(string sha256)
    {
        if (!IsSha256(sha256))
        {
            throw new ArgumentException("A module is named by its lower-case hex SHA-256.", nameof(sha256));
        }

        return PrepareRoute + "/" + sha256;
    }

    /// <summary>Whether <paramref name="value"/> is a lower-case hex SHA-256, the only way modules are named.</summary>
    public static bool IsSha256(string? value) => value is { Length: 64 } && value.All(char.IsAsciiHexDigitLower);
}
