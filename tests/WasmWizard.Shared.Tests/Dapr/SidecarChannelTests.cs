using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using WasmWizard.Shared.Dapr;

namespace WasmWizard.Shared.Tests.Dapr;

public sealed class SidecarChannelTests
{
    [Theory]
    [InlineData("127.0.0.1", "/actors/RateLimitActor/x/method/Acquire", 200)]
    [InlineData("::1", "/dapr/config", 200)]
    [InlineData("203.0.113.9", "/actors/RateLimitActor/x/method/Acquire", 403)]
    [InlineData("203.0.113.9", "/DAPR/subscribe", 403)]
    [InlineData("203.0.113.9", "/api/wasm/modules", 200)]
    public async Task WithoutToken_OnlyLoopbackReachesSidecarRoutes(string address, string path, int status)
    {
        var (context, reached) = await SendAsync(token: null, IPAddress.Parse(address), path, sentToken: null);

        Assert.Equal(status, context.Response.StatusCode);
        Assert.Equal(status == 200, reached);
    }

    [Theory]
    [InlineData(null, 401)]
    [InlineData("wrong", 401)]
    [InlineData("s3cret-app-token", 200)]
    public async Task WithToken_EveryCallerMustSendIt_EvenFromLoopback(string? sent, int status)
    {
        var (context, reached) = await SendAsync("s3cret-app-token", IPAddress.Loopback, "/events/audit-events", sent);

        Assert.Equal(status, context.Response.StatusCode);
        Assert.Equal(status == 200, reached);
    }

    private static async Task<(HttpContext Context, bool Reached)> SendAsync(
        string? token, IPAddress address, string path, string? sentToken)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [SidecarChannel.TokenSetting] = token })
            .Build();
        await using var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).BuildServiceProvider();
        var app = new ApplicationBuilder(services);
        app.UseSidecarChannel("/dapr", "/actors", "/events");
        var reached = false;
        app.Run(context =>
        {
            reached = true;
            context.Response.StatusCode = 200;
            return Task.CompletedTask;
        });
        var context = new DefaultHttpContext { RequestServices = services };
        context.Connection.RemoteIpAddress = address;
        context.Request.Path = path;
        if (sentToken is not null)
        {
            context.Request.Headers[SidecarChannel.TokenHeader] = sentToken;
        }

        await app.Build()(context);
        return (context, reached);
    }
}
