namespace WasmWizard.Shared.Dapr;

/// <summary>How a service reaches its Dapr sidecar (section <c>Dapr</c>).</summary>
/// <remarks>
/// The sidecar's addresses come from <c>DAPR_GRPC_ENDPOINT</c> / <c>DAPR_HTTP_ENDPOINT</c> (or the <c>_PORT</c>
/// variables) as <c>dapr run</c> and the Kubernetes injector set them; these settings cover what they do not.
/// </remarks>
public sealed class DaprSidecarOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Dapr";

    /// <summary>How long startup waits for the sidecar before giving up (the process then exits with an error).</summary>
    public int SidecarWaitSeconds { get; set; } = 60;

    /// <summary>
    /// Largest gRPC message the client sends or accepts. The default 4 MiB is smaller than a module may be; keep it
    /// at or below the sidecars' <c>maxBodySize</c>.
    /// </summary>
    public int MaxGrpcMessageBytes { get; set; } = 32 * 1024 * 1024;
}
