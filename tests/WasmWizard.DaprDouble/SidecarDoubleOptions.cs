using Microsoft.Extensions.Logging;

namespace WasmWizard.DaprDouble;

/// <summary>How to start one <see cref="SidecarDouble"/>: the daprd flags that matter to the double.</summary>
public sealed class SidecarDoubleOptions
{
    /// <summary>daprd's default <c>--max-body-size</c>: 4 MiB.</summary>
    public const long DefaultMaxBodySize = 4 * 1024 * 1024;

    /// <summary>The app's id (<c>--app-id</c>). Required, and unique within the network.</summary>
    public string AppId { get; set; } = "";

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

    /// <summary>Adds log providers to the double's own host, which logs nothing otherwise.</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; set; }
}
