using System.Net;
using Dapr;
using Grpc.Core;
using WasmWizard.DaprDouble.Tests.Infrastructure;
using WasmWizard.Tests.Shared;

namespace WasmWizard.DaprDouble.Tests.Health;

/// <summary>Readiness as the SDK sees it: the health endpoints, WaitForSidecarAsync, and the gRPC API.</summary>
public sealed class HealthTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WaitForSidecar_NotReady_ReturnsOnlyOnceTheDoubleIsReady()
    {
        await using var sidecar = await SidecarDouble.StartAsync(new() { AppId = "api", Ready = false }, Token);
        using var client = Clients.For(sidecar);

        var waiting = client.WaitForSidecarAsync(Token);
        // Two polls answered "not ready" prove the wait went on past a refusal.
        await Eventually.HoldsAsync(() => sidecar.NotReadyAnswers >= 2);
        var completedWhileNotReady = waiting.IsCompleted;
        sidecar.IsReady = true;
        await waiting.WaitAsync(TimeSpan.FromSeconds(10), Token);

        Assert.False(completedWhileNotReady);
    }

    [Fact]
    public async Task CheckHealth_FollowsTheReadySwitch()
    {
        await using var sidecar = await SidecarDouble.StartAsync(new() { AppId = "api", Ready = false }, Token);
        using var client = Clients.For(sidecar);

        var before = (await client.CheckHealthAsync(Token), await client.CheckOutboundHealthAsync(Token));
        sidecar.IsReady = true;
        var after = (await client.CheckHealthAsync(Token), await client.CheckOutboundHealthAsync(Token));

        Assert.Equal((false, false), before);
        Assert.Equal((true, true), after);
    }

    [Fact]
    public async Task Healthz_DoubleLeadingSlash_AnswersNoContent()
    {
        await using var sidecar = await SidecarDouble.StartAsync(new() { AppId = "api" }, Token);
        using var http = new HttpClient();

        using var response = await http.GetAsync(sidecar.HttpEndpoint + "//v1.0/healthz/outbound", Token);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task GetState_NotReady_IsUnavailable()
    {
        await using var sidecar = await SidecarDouble.StartAsync(new() { AppId = "api", Ready = false }, Token);
        using var client = Clients.For(sidecar);

        var error = await Assert.ThrowsAsync<DaprException>(
            () => client.GetStateAsync<int>(SidecarNetworkOptions.DefaultStateStore, "k", cancellationToken: Token));

        Assert.Equal(StatusCode.Unavailable, Assert.IsType<RpcException>(error.InnerException).StatusCode);
    }
}
