using System.Net;
using Microsoft.AspNetCore.Http;
using WasmWizard.DaprDouble;
using WasmWizard.Distributed.Tests.Infrastructure;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Dapr;

namespace WasmWizard.Distributed.Tests.Security;

/// <summary>
/// <c>Api:TrustForwardedHeaders</c> behind the Dapr ingress: an ingress controller hands each request to its own
/// sidecar, naming the client in <c>X-Forwarded-For</c>, and that sidecar invokes the api, appending its own pod
/// address as daprd does. Each client then has its own address budget, cannot leave it by writing its own header,
/// and a request that did not come through the api's sidecar chooses nothing.
/// </summary>
public sealed class ForwardedClientTests(ForwardedClientTests.Composition composition)
    : IClassFixture<ForwardedClientTests.Composition>
{
    private const int Burst = 3;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ThroughTheIngress_TwoClients_HaveSeparateFailedCredentialBudgets()
    {
        await using var ingress = await IngressAsync();
        using var http = new HttpClient();

        var first = await SpendBudgetAsync(http, ingress, "198.51.100.10");
        var second = await ThroughIngressAsync(http, ingress, "198.51.100.20", "Bearer ww_wrong");

        Assert.Equal(HttpStatusCode.TooManyRequests, first);
        Assert.Equal(HttpStatusCode.Unauthorized, second);
        var failure = await composition.Network.WhenPublishedAsync(
            DaprNames.AuditTopic,
            e => e.DataAs<AuditEvent>() is { Type: AuditEventTypes.AuthenticationFailed, ClientAddress: "198.51.100.20" },
            cancellationToken: Token);
        Assert.DoesNotContain(Composition.IngressPodAddress, failure.Json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThroughTheIngress_AnonymousClients_HaveSeparateRequestBudgets()
    {
        await using var ingress = await IngressAsync();
        using var http = new HttpClient();
        HttpStatusCode status = default;

        for (var i = 0; i <= Burst; i++)
        {
            status = await ThroughIngressAsync(http, ingress, "198.51.100.40", authorization: null);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Equal(HttpStatusCode.Unauthorized, await ThroughIngressAsync(http, ingress, "198.51.100.41", null));
    }

    [Fact]
    public async Task ThroughTheIngress_ClientWritingItsOwnForwardedFor_StaysInItsBucket()
    {
        await using var ingress = await IngressAsync();
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.TooManyRequests, await SpendBudgetAsync(http, ingress, "198.51.100.30"));

        var statuses = new List<HttpStatusCode>();
        for (var n = 1; n <= 5; n++)
        {
            // The client sent its own X-Forwarded-For; the ingress controller appended the address it saw.
            statuses.Add(await ThroughIngressAsync(http, ingress, $"203.0.113.{n}, 198.51.100.30", "Bearer ww_wrong"));
        }

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("guess")]
    public async Task Direct_ForwardedForWithoutTheAppToken_IsNotTrusted(string? appToken)
    {
        var connection = appToken is null ? "203.0.113.50" : "203.0.113.51";
        var statuses = new List<int>();
        for (var n = 0; n <= Burst; n++)
        {
            var context = await composition.Api.Server.SendAsync(
                c =>
                {
                    c.Request.Method = HttpMethods.Get;
                    c.Request.Path = "/api/wasm/modules";
                    c.Request.Headers.Authorization = "Bearer ww_wrong";
                    c.Request.Headers["X-Forwarded-For"] = $"198.51.100.{100 + n}, 198.51.100.{150 + n}";
                    if (appToken is not null)
                    {
                        c.Request.Headers[SidecarChannel.TokenHeader] = appToken;
                    }

                    c.Connection.RemoteIpAddress = IPAddress.Parse(connection);
                },
                Token);
            statuses.Add(context.Response.StatusCode);
        }

        Assert.Equal(StatusCodes.Status429TooManyRequests, statuses[^1]);
    }

    private Task<SidecarDouble> IngressAsync() => SidecarDouble.StartAsync(new SidecarDoubleOptions
    {
        AppId = "ingress",
        Network = composition.Network,
        ApiToken = composition.ApiToken,
        HostAddress = Composition.IngressPodAddress,
    }, Token);

    // Wrong credentials until the client's budget is spent; the status of the last request.
    private static async Task<HttpStatusCode> SpendBudgetAsync(HttpClient http, SidecarDouble ingress, string client)
    {
        HttpStatusCode status = default;
        for (var i = 0; i <= Burst; i++)
        {
            status = await ThroughIngressAsync(http, ingress, client, "Bearer ww_wrong");
        }

        return status;
    }

    // What the ingress controller does: the request goes to its sidecar, which invokes the api.
    private static async Task<HttpStatusCode> ThroughIngressAsync(
        HttpClient http, SidecarDouble ingress, string forwardedFor, string? authorization)
    {
        using var request = new HttpRequestMessage(
            HttpMethod.Get, $"{ingress.HttpEndpoint}/v1.0/invoke/{DaprNames.ApiAppId}/method/api/wasm/modules");
        request.Headers.TryAddWithoutValidation(SidecarChannel.TokenHeader, ingress.ApiToken);
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await http.SendAsync(request, Token);
        return response.StatusCode;
    }

    /// <summary>The secured composition with the api trusting forwarded addresses, and small address budgets.</summary>
    public sealed class Composition : DistributedComposition
    {
        /// <summary>The ingress pod's address, which its sidecar appends to <c>X-Forwarded-For</c>.</summary>
        public const string IngressPodAddress = "10.244.3.9";

        public Composition()
            : base(new SidecarTokens()) => ExtraSettings = new Dictionary<string, string?>
        {
            ["Api:TrustForwardedHeaders"] = "true",
            ["Api:AnonymousBurst"] = Burst.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Api:AnonymousRequestsPerMinute"] = "1",
        };
    }
}
