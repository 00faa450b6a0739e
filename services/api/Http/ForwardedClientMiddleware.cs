using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using WasmWizard.Shared.Dapr;

namespace WasmWizard.Api.Http;

/// <summary>
/// Behind the Dapr ingress, every request reaches the api from its own sidecar, so without this every client would
/// share the sidecar's address budget. On with <c>Api:TrustForwardedHeaders</c>, and only for requests that carry
/// the app API token (they came through the api's sidecar; a request without it never chooses its address), the
/// client address becomes the <c>X-Forwarded-For</c> entry <c>Api:ForwardedHopsTrusted</c> places from the right.
/// </summary>
/// <remarks>
/// Along client → ingress controller → its sidecar → api sidecar → api, the right-most entry is the ingress pod's
/// own address (its sidecar appends it on every invocation of another app), the one before it is the address the
/// ingress controller took the connection from, and everything further left came with the client's request and is
/// whatever the client wrote. <c>Forwarded</c> is not read: Dapr's names only the calling sidecar. When the header
/// has fewer entries than trusted hops (an app in the mesh invoked the api), the left-most one is the caller.
/// </remarks>
public sealed class ForwardedClientMiddleware(
    RequestDelegate next, IOptions<ApiOptions> options, IConfiguration configuration)
{
    private const string ForwardedForHeader = "X-Forwarded-For";

    // The validator refuses to start without a token when the option is on; null keeps this safe regardless.
    private readonly byte[]? _token = SidecarChannel.ExpectedToken(configuration);
    private readonly int _hops = options.Value.ForwardedHopsTrusted;

    /// <summary>Replaces the connection's remote address with the forwarded client's, when it may.</summary>
    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_token is not null
            && context.Request.Headers.TryGetValue(ForwardedForHeader, out var values)
            && SidecarChannel.CarriesToken(context, _token)
            && ClientOf(values, _hops) is { } client)
        {
            context.Connection.RemoteIpAddress = client;
        }

        return next(context);
    }

    /// <summary>
    /// The entry <paramref name="hops"/> places from the right of every <c>X-Forwarded-For</c> value taken as one
    /// list, or the left-most when there are fewer; null when that entry is not an address (a misconfigured proxy),
    /// so the request keeps the connection's address and shares its budget rather than escaping it.
    /// </summary>
    public static IPAddress? ClientOf(IEnumerable<string?> headerValues, int hops)
    {
        ArgumentNullException.ThrowIfNull(headerValues);
        var entries = headerValues
            .SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .ToList();
        if (entries.Count == 0 || hops <= 0)
        {
            return null;
        }

        var entry = entries[Math.Max(0, entries.Count - hops)];
        if (IPAddress.TryParse(entry, out var address))
        {
            return address;
        }

        // Proxies may add a port ("203.0.113.7:5123", "[2001:db8::1]:443").
        return IPEndPoint.TryParse(entry, out var endPoint) ? endPoint.Address : null;
    }
}
