using System.Net;
using Dapr;
using Dapr.Client;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using WasmWizard.DaprDouble.Tests.Infrastructure;

namespace WasmWizard.DaprDouble.Tests.Security;

/// <summary>
/// <see cref="SidecarDoubleOptions.ApiToken"/>, daprd's <c>DAPR_API_TOKEN</c>: every call to the sidecar's HTTP
/// and gRPC API needs it, except the two health checks, and an app wired with the sidecar's configuration sends
/// it on its own.
/// </summary>
public sealed class ApiTokenTests : IAsyncLifetime
{
    private const string ApiToken = "api-sidecar-token";

    private readonly SidecarNetwork _network = new();
    private int _executorCalls;
    private SidecarDouble _api = null!;
    private TestApp _executorApp = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _api = await SidecarDouble.StartAsync(new() { AppId = "api", Network = _network, ApiToken = ApiToken }, Token);
        var executor = await SidecarDouble.StartAsync(new() { AppId = "executor", Network = _network }, Token);
        _executorApp = await TestApp.StartAsync(
            executor,
            _ => { },
            app => app.MapPost("/runs", () =>
            {
                Interlocked.Increment(ref _executorCalls);
                return Results.Ok();
            }));
    }

    public async ValueTask DisposeAsync()
    {
        await _network.DisposeAsync();
        await _executorApp.DisposeAsync();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("api-sidecar-toke")]
    [InlineData("API-SIDECAR-TOKEN")]
    public async Task Invoke_WithoutTheRightApiToken_Is401AndTheAppIsNotCalled(string? sent)
    {
        using var client = DaprClient.CreateInvokeHttpClient("executor", _api.HttpEndpoint, sent);

        using var response = await client.PostAsync("/runs", null, Token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, Volatile.Read(ref _executorCalls));
    }

    [Fact]
    public async Task Invoke_WithTheApiToken_ReachesTheApp()
    {
        using var client = DaprClient.CreateInvokeHttpClient("executor", _api.HttpEndpoint, ApiToken);

        using var response = await client.PostAsync("/runs", null, Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, Volatile.Read(ref _executorCalls));
    }

    [Theory]
    [InlineData("GET", "/v1.0/metadata")]
    [InlineData("PUT", "/v1.0/actors/CounterActor/a/method/IncrementAsync")]
    [InlineData("POST", "/v1.0/healthz")]
    [InlineData("GET", "/v1.0-alpha1/anything")]
    public async Task HttpApi_AnyOtherCallWithoutTheApiToken_Is401(string method, string path)
    {
        using var http = new HttpClient { BaseAddress = new Uri(_api.HttpEndpoint) };

        using var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), Token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("/v1.0/healthz")]
    [InlineData("/v1.0/healthz/outbound")]
    [InlineData("//v1.0/healthz/outbound")]
    public async Task HealthChecks_WithoutTheApiToken_AnswerNoContent(string path)
    {
        using var http = new HttpClient();

        // Joined as text: a relative "//v1.0/…" would be read as a host name.
        using var response = await http.GetAsync(_api.HttpEndpoint + path, Token);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task GrpcApi_WithoutTheApiToken_IsUnauthenticatedAndStoresNothing()
    {
        using var anonymous = Clients.For(_api);
        using var wrong = Clients.For(_api, "guess");

        var noToken = await Assert.ThrowsAsync<DaprException>(() => anonymous.SaveStateAsync(
            SidecarNetworkOptions.DefaultStateStore, "k", 1, cancellationToken: Token));
        var wrongToken = await Assert.ThrowsAsync<DaprException>(() => wrong.PublishEventAsync(
            SidecarNetworkOptions.DefaultPubSub, "orders", new Order("o-1", 1), Token));

        Assert.Equal(StatusCode.Unauthenticated, Assert.IsType<RpcException>(noToken.InnerException).StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, Assert.IsType<RpcException>(wrongToken.InnerException).StatusCode);
        Assert.Null(_network.StateStore().Find("api", "k"));
        Assert.Empty(_network.Published);
    }

    [Fact]
    public async Task GrpcApi_WithTheApiToken_Works()
    {
        using var client = Clients.For(_api, ApiToken);

        await client.SaveStateAsync(SidecarNetworkOptions.DefaultStateStore, "k", 7, cancellationToken: Token);

        Assert.Equal(
            7, await client.GetStateAsync<int>(SidecarNetworkOptions.DefaultStateStore, "k", cancellationToken: Token));
    }

    [Fact]
    public void Configuration_HasTheApiTokenOnlyWhenItIsSet()
    {
        var without = _network.Sidecars.Single(s => s.AppId == "executor").Configuration;

        Assert.Equal(ApiToken, _api.Configuration["DAPR_API_TOKEN"]);
        Assert.False(without.ContainsKey("DAPR_API_TOKEN"));
        Assert.False(without.ContainsKey("APP_API_TOKEN"));
    }

    [Fact]
    public async Task AppWiredWithTheConfiguration_DaprClientSendsTheApiToken()
    {
        await using var app = await TestApp.StartAsync(
            _api, builder => builder.Services.AddDaprClient(), _ => { });
        var dapr = app.Services.GetRequiredService<DaprClient>();
        using var executor = dapr.CreateInvokableHttpClient("executor");

        await dapr.SaveStateAsync(SidecarNetworkOptions.DefaultStateStore, "wired", 1, cancellationToken: Token);
        using var invoked = await executor.PostAsync("/runs", null, Token);

        Assert.NotNull(_network.StateStore().Find("api", "wired"));
        Assert.Equal(HttpStatusCode.OK, invoked.StatusCode);
    }
}
