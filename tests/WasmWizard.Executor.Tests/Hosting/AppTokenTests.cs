using System.Net;
using System.Net.Http.Json;
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
        // The double sends no app token, as a sidecar configured without the executor's secret would.
        var e = await Assert.ThrowsAsync<DependencyUnavailableException>(
            () => fixture.Host.Client.PrepareModuleAsync(Modules.Sleeper(3), Token));

        Assert.Equal("executor", e.Dependency);
        Assert.Contains("APP_API_TOKEN", e.InnerException!.Message, StringComparison.Ordinal);
    }
}
