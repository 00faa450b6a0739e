using System.Net;
using System.Net.Http.Json;
using Dapr.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using WasmWizard.DaprDouble;
using WasmWizard.DaprDouble.State;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Dapr;

namespace WasmWizard.Executor.Tests.Hosting;

/// <summary>An executor with Dapr's app API token configured, as in Kubernetes.</summary>
public sealed class AppTokenFixture : ExecutorHostFixture
{
    public const string Token = "app-token-for-tests";

    protected override IDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        [SidecarChannel.TokenSetting] = Token,
    };
}

/// <summary>With <c>APP_API_TOKEN</c> set, only calls carrying it reach the internal endpoints, loopback or not.</summary>
public sealed class AppTokenTests(AppTokenFixture fixture) : IClassFixture<AppTokenFixture>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(null)]
    [InlineData("wrong")]
    public async Task Prepare_WithoutTheToken_Is401UnauthorizedProblem(string? sent)
    {
        using var http = fixture.Host.Factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, ExecutorProtocol.PrepareRoute)
        {
            Content = ExecutorEndpointTests.Wasm(Modules.Echo),
        };
        if (sent is not null)
        {
            request.Headers.Add(SidecarChannel.TokenHeader, sent);
        }

        using var response = await http.SendAsync(request, Token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<Dictionary<string, object>>(Token);
        Assert.Equal(ExecutorProblemTypes.Unauthorized, problem!["type"].ToString());
        Assert.Empty(fixture.Host.Artifacts(Modules.Sha256(Modules.Echo)));
    }

    [Fact]
    public async Task Prepare_WithTheToken_IsServed()
    {
        using var http = fixture.Host.Factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, ExecutorProtocol.PrepareRoute)
        {
            Content = ExecutorEndpointTests.Wasm(Modules.Sleeper(2)),
        };
        request.Headers.Add(SidecarChannel.TokenHeader, AppTokenFixture.Token);

        using var response = await http.SendAsync(request, Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Client_ThroughASidecarThatDoesNotSendTheToken_IsDependencyUnavailableExecutor()
    {
        // A second network whose executor sidecar lacks the executor's secret, in front of the same executor.
        await using var network = new SidecarNetwork(
            new SidecarNetworkOptions().AddStateStore(DaprNames.StateStore, KeyPrefix.Name));
        await using var api = await SidecarDouble.StartAsync(new() { AppId = DaprNames.ApiAppId, Network = network }, Token);
        await using var executor = await SidecarDouble.StartAsync(
            new() { AppId = DaprNames.ExecutorAppId, Network = network }, Token);

        // Such a sidecar cannot even read the executor's subscriptions.
        var connect = await Assert.ThrowsAsync<InvalidOperationException>(
            () => executor.ConnectAppAsync(AppChannel.FromHandler(fixture.Host.Factory.Server.CreateHandler()), Token));
        using var dapr = new DaprClientBuilder().UseHttpEndpoint(api.HttpEndpoint).UseGrpcEndpoint(api.GrpcEndpoint).Build();
        var client = new DaprExecutorClient(
            dapr, Options.Create(new ExecutorClientOptions()), NullLogger<DaprExecutorClient>.Instance);
        var e = await Assert.ThrowsAsync<DependencyUnavailableException>(
            () => client.PrepareModuleAsync(Modules.Sleeper(3), null, Token));

        Assert.Contains("401", connect.Message, StringComparison.Ordinal);
        Assert.Equal("executor", e.Dependency);
        Assert.Contains("APP_API_TOKEN", e.InnerException!.Message, StringComparison.Ordinal);
    }
}
