using System.Net;
using Microsoft.AspNetCore.Http;
using WasmWizard.Distributed.Tests.Infrastructure;

namespace WasmWizard.Distributed.Tests.Security;

/// <summary>
/// Without <c>APP_API_TOKEN</c>, the routes only a service's own sidecar should call (the api's actor and
/// <c>/dapr</c> routes, the executor's internal ones) are kept from callers on another address. Loopback callers
/// still get in: that mode is for a single machine whose loopback holds nothing else, and
/// <see cref="SidecarTokenTests"/> covers the secured one.
/// </summary>
public sealed class SidecarOnlyRouteTests(DistributedComposition composition) : IClassFixture<DistributedComposition>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("DELETE", "/actors/RateLimitActor/user:x:free")]
    [InlineData("PUT", "/actors/RateLimitActor/user:x:free/method/AcquireAsync")]
    [InlineData("GET", "/dapr/config")]
    [InlineData("GET", "/ACTORS/RateLimitActor/user:x:free")]
    public async Task ApiSidecarOnlyRoutes_CallerFromAnotherAddress_Is403(string method, string path)
    {
        var context = await composition.Api.Server.SendAsync(
            c =>
            {
                c.Request.Method = method;
                c.Request.Path = path;
                c.Connection.RemoteIpAddress = IPAddress.Parse("192.0.2.44");
            },
            Token);

        Assert.Equal(StatusCodes.Status403Forbidden, context.Response.StatusCode);
    }

    [Theory]
    [InlineData("POST", "/internal/v1/runs")]
    [InlineData("POST", "/Internal/v1/modules")]
    [InlineData("DELETE", "/internal/v1/modules/0000000000000000000000000000000000000000000000000000000000000000")]
    public async Task ExecutorInternalRoutes_CallerFromAnotherAddress_Is403(string method, string path)
    {
        var context = await composition.Executor.Server.SendAsync(
            c =>
            {
                c.Request.Method = method;
                c.Request.Path = path;
                c.Connection.RemoteIpAddress = IPAddress.Parse("192.0.2.45");
            },
            Token);

        Assert.Equal(StatusCodes.Status403Forbidden, context.Response.StatusCode);
    }
}
