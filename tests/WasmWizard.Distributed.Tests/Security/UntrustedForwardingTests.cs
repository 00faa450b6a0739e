using System.Net;
using WasmWizard.DaprDouble;
using WasmWizard.Distributed.Tests.Infrastructure;
using WasmWizard.Shared.Dapr;

namespace WasmWizard.Distributed.Tests.Security;

/// <summary>
/// Without <c>Api:TrustForwardedHeaders</c> (the default), <c>X-Forwarded-For</c> changes nothing, even on requests
/// that came through the Dapr ingress: every one of them counts against the connection's address.
/// </summary>
public sealed class UntrustedForwardingTests(SecuredDistributedComposition composition)
    : IClassFixture<SecuredDistributedComposition>
{
    // The published default of Api:AnonymousBurst.
    private const int Burst = 20;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ThroughTheIngress_DifferentForwardedClients_ShareOneBudget()
    {
        await using var ingress = await SidecarDouble.StartAsync(new SidecarDoubleOptions
        {
            AppId = "ingress",
            Network = composition.Network,
            ApiToken = composition.ApiToken,
            HostAddress = "10.244.3.9",
        }, Token);
        using var http = new HttpClient();
        var statuses = new List<HttpStatusCode>();

        for (var n = 0; n <= Burst; n++)
        {
            using var request = new HttpRequestMessage(
                HttpMethod.Get, $"{ingress.HttpEndpoint}/v1.0/invoke/{DaprNames.ApiAppId}/method/api/wasm/modules");
            request.Headers.TryAddWithoutValidation(SidecarChannel.TokenHeader, ingress.ApiToken);
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", $"198.51.100.{n}");
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer ww_wrong");
            using var response = await http.SendAsync(request, Token);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }
}
