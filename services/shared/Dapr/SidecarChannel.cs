using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace WasmWizard.Shared.Dapr;

/// <summary>
/// Guards the routes only the service's own sidecar should call (subscriptions, deliveries, actor calls, internal
/// invocations). With Dapr's app API token configured (<c>APP_API_TOKEN</c>, which the sidecar sends as
/// <c>dapr-api-token</c>), a call must carry it. Without one, only loopback callers are let in: the sidecar runs
/// beside the app (same pod, same machine) and connects over loopback, while outside traffic does not.
/// </summary>
public static class SidecarChannel
{
    /// <summary>The header the sidecar sends the app API token in.</summary>
    public const string TokenHeader = "dapr-api-token";

    /// <summary>The configuration key (and environment variable) of the app API token.</summary>
    public const string TokenSetting = "APP_API_TOKEN";

    private static readonly object Marker = new();

    /// <summary>Whether this request came through the sidecar channel (checked by <see cref="UseSidecarChannel"/>).</summary>
    public static bool IsSidecarCall(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items.ContainsKey(Marker);
    }

    /// <summary>
    /// Checks requests under <paramref name="pathPrefixes"/>: refused with 401 (wrong or missing token) or 403 (not
    /// loopback, no token configured); marked as sidecar calls otherwise. Other paths pass untouched.
    /// </summary>
    public static IApplicationBuilder UseSidecarChannel(this IApplicationBuilder app, params string[] pathPrefixes)
    {
        ArgumentNullException.ThrowIfNull(app);
        var configuration = (IConfiguration)app.ApplicationServices.GetService(typeof(IConfiguration))!;
        var expected = ExpectedToken(configuration);
        return app.Use(async (context, next) =>
        {
            if (!pathPrefixes.Any(p => context.Request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase)))
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            var refusal = expected is null ? CheckLoopback(context) : CheckToken(context, expected);
            if (refusal is { } status)
            {
                context.Response.StatusCode = status;
                return;
            }

            context.Items[Marker] = true;
            await next(context).ConfigureAwait(false);
        });
    }

    /// <summary>The SHA-256 of the configured app API token, or null when none is configured.</summary>
    public static byte[]? ExpectedToken(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var token = configuration[TokenSetting];
        return string.IsNullOrEmpty(token) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(token));
    }

    /// <summary>
    /// Whether the request carries the app API token whose hash is <paramref name="expected"/> (see
    /// <see cref="ExpectedToken"/>): then it came through the service's own sidecar.
    /// </summary>
    public static bool CarriesToken(HttpContext context, byte[] expected)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(expected);
        var sent = context.Request.Headers[TokenHeader].ToString();
        // Hashes of equal length, compared in constant time: the comparison tells nothing about the token.
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(sent));
        return sent.Length > 0 && CryptographicOperations.FixedTimeEquals(hash, expected);
    }

    private static int? CheckToken(HttpContext context, byte[] expected) =>
        CarriesToken(context, expected) ? null : StatusCodes.Status401Unauthorized;

    private static int? CheckLoopback(HttpContext context)
    {
        // No address means no network connection at all (an in-process test server).
        var address = context.Connection.RemoteIpAddress;
        return address is null || IPAddress.IsLoopback(address) ? null : StatusCodes.Status403Forbidden;
    }
}
