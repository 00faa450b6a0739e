using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using WasmWizard.Api.Http;

namespace WasmWizard.Api.Tests.Http;

public sealed class ResponseHeadersMiddlewareTests
{
    [Theory]
    [InlineData("https", true)]
    [InlineData("http", false)]
    public async Task InvokeAsync_Hsts_OnlyOverHttps(string scheme, bool expected)
    {
        var response = new StartableResponse();
        var context = new DefaultHttpContext();
        context.Features.Set<IHttpResponseFeature>(response);
        context.Request.Scheme = scheme;
        context.Request.Path = "/api/wasm/modules";
        var middleware = new ResponseHeadersMiddleware(_ => Task.CompletedTask);

        await middleware.InvokeAsync(context);
        await response.StartAsync();

        Assert.Equal(expected, context.Response.Headers.ContainsKey("Strict-Transport-Security"));
        Assert.Equal("no-store", context.Response.Headers.CacheControl);
        Assert.Equal("nosniff", context.Response.Headers.XContentTypeOptions);
    }

    /// <summary>A response feature that runs its OnStarting callbacks when the test says the response starts.</summary>
    private sealed class StartableResponse : HttpResponseFeature
    {
        private readonly List<(Func<object, Task> Callback, object State)> _starting = [];

        public override void OnStarting(Func<object, Task> callback, object state) => _starting.Add((callback, state));

        public async Task StartAsync()
        {
            foreach (var (callback, state) in Enumerable.Reverse(_starting))
            {
                await callback(state);
            }
        }
    }
}
