using System.Net;
using System.Net.Sockets;
using Dapr.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using WasmWizard.DaprDouble;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Dapr;

namespace WasmWizard.Executor.Tests.Hosting;

/// <summary>What the api sees when the executor, or the way to it, is not there: 503 material, never a hang.</summary>
public sealed class ExecutorUnavailableTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task NoExecutorInTheNetwork_IsDependencyUnavailableExecutor()
    {
        await using var network = new SidecarNetwork();
        await using var api = await SidecarDouble.StartAsync(
            new() { AppId = DaprNames.ApiAppId, Network = network }, Token);
        using var client = Client(api.HttpEndpoint, api.GrpcEndpoint, new ExecutorClientOptions());

        var e = await Assert.ThrowsAsync<DependencyUnavailableException>(
            () => client.PrepareModuleAsync(Modules.Echo, null, Token));

        Assert.Equal("executor", e.Dependency);
        Assert.Equal(TimeSpan.FromSeconds(2), e.RetryAfter);
    }

    [Fact]
    public async Task ApiSidecarNotListening_IsDependencyUnavailableExecutor()
    {
        var closed = ClosedLoopbackEndpoint();
        using var client = Client(closed, closed, new ExecutorClientOptions());

        var e = await Assert.ThrowsAsync<DependencyUnavailableException>(
            () => client.PrepareModuleAsync(Modules.Echo, null, Token));

        Assert.Equal("executor", e.Dependency);
        Assert.IsType<HttpRequestException>(e.InnerException);
    }

    [Fact]
    public async Task ExecutorThatNeverAnswers_IsDependencyUnavailableAfterTheClientTimeout()
    {
        await using var network = new SidecarNetwork();
        await using var api = await SidecarDouble.StartAsync(
            new() { AppId = DaprNames.ApiAppId, Network = network }, Token);
        using var silent = new SilentHandler();
        await using var executor = await SidecarDouble.StartAsync(
            new() { AppId = DaprNames.ExecutorAppId, Network = network }, Token);
        await executor.ConnectAppAsync(AppChannel.FromHandler(silent), Token);
        using var client = Client(api.HttpEndpoint, api.GrpcEndpoint, new ExecutorClientOptions { TimeoutSeconds = 1 });

        var e = await Assert.ThrowsAsync<DependencyUnavailableException>(
            () => client.PrepareModuleAsync(Modules.Echo, null, Token));

        Assert.Equal("executor", e.Dependency);
        Assert.IsType<TimeoutException>(e.InnerException);
        Assert.True(silent.Asked, "the call never reached the executor");
    }

    private static DaprExecutorClient Client(string http, string grpc, ExecutorClientOptions options)
    {
        var dapr = new DaprClientBuilder().UseHttpEndpoint(http).UseGrpcEndpoint(grpc).Build();
        return new DaprExecutorClient(dapr, Options.Create(options), NullLogger<DaprExecutorClient>.Instance);
    }

    private static string ClosedLoopbackEndpoint()
    {
        // A port that was just free: nothing listens there once the listener stops.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}";
    }

    /// <summary>An app that takes every call and answers none until the caller gives up.</summary>
    private sealed class SilentHandler : HttpMessageHandler
    {
        private volatile bool _asked;

        public bool Asked => _asked;

        protected override async Task<HttpResponseMessage> SendAsync(
            HttpRequestMessage request, CancellationToken cancellationToken)
        {
            // The double asks for subscriptions and actor types on connect; only invocations go silent.
            if (request.RequestUri?.AbsolutePath.StartsWith("/dapr/", StringComparison.Ordinal) == true)
            {
                return new HttpResponseMessage(HttpStatusCode.NotFound);
            }

            _asked = true;
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }
}
