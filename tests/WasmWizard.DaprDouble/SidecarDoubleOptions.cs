using Microsoft.Extensions.Logging;

namespace WasmWizard.DaprDouble;

/// <summary>How to start one <see cref="SidecarDouble"/>: the daprd flags that matter to the double.</summary>
public sealed class SidecarDoubleOptions
{
    /// <summary>daprd's default <c>--max-body-size</c>: 4 MiB.</summary>
    public const long DefaultMaxBodySize = 4 * 1024 * 1024;

    /// <summary>
    /// The app's id (<c>--app-id</c>). Required, and unique within the network unless <see cref="Replica"/> is set.
    /// </summary>
    public string AppId { get; set; } = "";

    /// <summary>
    /// Lets this sidecar join an app id that already runs on the network, as one more replica of that app (each
    /// replica has its own sidecar and app, as pods of one deployment do). The replicas of an app id share one
    /// consumer group, so each event goes to one of them; invocations take turns over them; each actor id stays
    /// on one of them. False (the default): a second sidecar for the same app id is an error.
    /// </summary>
    public bool Replica { get; set; }

    /// <summary>
    /// The network to join; null gives the sidecar a network of its own (default components), disposed with it.
    /// </summary>
    public SidecarNetwork? Network { get; set; }

    /// <summary>
    /// The app, when it is already running. Usually it is not, because it needs the sidecar's endpoints first:
    /// then call <see cref="SidecarDouble.ConnectAppAsync"/> once it is up.
    /// </summary>
    public AppChannel? App { get; set; }

    /// <summary>Largest request body the sidecar accepts (<c>--max-body-size</c>), over HTTP and gRPC.</summary>
    public long MaxBodySize { get; set; } = DefaultMaxBodySize;

    /// <summary>Whether the sidecar is ready from the start; see <see cref="SidecarDouble.IsReady"/>.</summary>
    public bool Ready { get; set; } = true;

    /// <summary>
    /// daprd's <c>DAPR_API_TOKEN</c>: when set, every call to the sidecar's HTTP and gRPC API must carry it in the
    /// <c>dapr-api-token</c> header (HTTP 401, gRPC Unauthenticated otherwise), except <c>GET /v1.0/healthz</c>
    /// and <c>GET /v1.0/healthz/outbound</c>. Null or empty: no token is asked for.
    /// </summary>
    public string? ApiToken { get; set; }

    /// <summary>
    /// daprd's <c>APP_API_TOKEN</c>: when set, the sidecar sends it as <c>dapr-api-token</c> on every call to its
    /// app (invocations, deliveries, <c>/dapr/subscribe</c>, <c>/dapr/config</c>, actor calls). Null or empty: the
    /// app gets no such header.
    /// </summary>
    public string? AppToken { get; set; }

    /// <summary>
    /// The address of the sidecar's host (a pod's IP in Kubernetes). As daprd does, the sidecar appends it to
    /// <c>X-Forwarded-For</c> and names it in <c>Forwarded</c> on every call it makes to another app.
    /// </summary>
    public string HostAddress { get; set; } = "127.0.0.1";

    /// <summary>Adds log providers to the double's own host, which logs nothing otherwise.</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; set; }
}
