using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapr.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WasmWizard.DaprDouble.Tests.Infrastructure;

namespace WasmWizard.DaprDouble.Tests.Invocation;

/// <summary>
/// Service invocation from api to executor through two sidecar doubles, with the SDK's invoke HttpClient. The
/// executor listens on a real loopback port here, where most other tests use in-memory apps.
/// </summary>
public sealed class InvocationTests : IAsyncLifetime
{
    private const long MaxBodySize = SidecarDoubleOptions.DefaultMaxBodySize;

    private readonly SidecarNetwork _network = new();
    private SidecarDouble _api = null!;
    private TestApp _executorApp = null!;
    private HttpClient _executor = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _api = await SidecarDouble.StartAsync(new() { AppId = "api", Network = _network }, Token);
        var executor = await SidecarDouble.StartAsync(new() { AppId = "executor", Network = _network }, Token);
        _executorApp = await TestApp.StartAsync(executor, _ => { }, MapExecutor, AppHosting.LoopbackPort);
        _executor = DaprClient.CreateInvokeHttpClient("executor", _api.HttpEndpoint);
    }

    public async ValueTask DisposeAsync()
    {
        _executor.Dispose();
        await _network.DisposeAsync();
        await _executorApp.DisposeAsync();
    }

    [Fact]
    public async Task Invoke_Post_ReachesTheOtherAppWithCallerAndCalleeIds()
    {
        var order = new Order("o-1", 3);

        using var response = await _executor.PostAsJsonAsync("/echo?mode=fast", order, Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echo = await response.Content.ReadFromJsonAsync<Echo>(Token);
        var length = JsonSerializer.SerializeToUtf8Bytes(order, JsonSerializerOptions.Web).Length;
        Assert.Equal(new Echo("api", "executor", "?mode=fast", "application/json; charset=utf-8", length), echo);
    }

    [Fact]
    public async Task Invoke_CallersTraceContext_ReachesTheOtherApp()
    {
        const string traceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        using var request = new HttpRequestMessage(HttpMethod.Get, "/trace");
        request.Headers.Add("traceparent", traceParent);
        request.Headers.Add("tracestate", "ww=1");

        using var response = await _executor.SendAsync(request, Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"{traceParent} ww=1", await response.Content.ReadAsStringAsync(Token));
    }

    [Fact]
    public async Task Invoke_AppAnswersAnError_StatusHeadersAndBodyComeBack()
    {
        using var response = await _executor.DeleteAsync("/modules/m%201", Token);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("m 1", Assert.Single(response.Headers.GetValues("X-Module")));
        Assert.Equal("still running", await response.Content.ReadAsStringAsync(Token));
    }

    [Fact]
    public async Task Invoke_BodyOfExactlyTheMaxSize_IsForwarded()
    {
        using var content = new ByteArrayContent(new byte[MaxBodySize]);

        using var response = await _executor.PostAsync("/echo", content, Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(MaxBodySize, (await response.Content.ReadFromJsonAsync<Echo>(Token))!.Length);
    }

    [Fact]
    public async Task Invoke_BodyOneByteOverTheMaxSize_Is413()
    {
        using var content = new ByteArrayContent(new byte[MaxBodySize + 1]);

        using var response = await _executor.PostAsync("/echo", content, Token);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Invoke_CalleeWithSmallerMaxBodySize_Is413()
    {
        await using var audit = await SidecarDouble.StartAsync(
            new() { AppId = "audit", Network = _network, MaxBodySize = 1024 }, Token);
        await using var auditApp = await TestApp.StartAsync(
            audit, _ => { }, MapExecutor, AppHosting.TestServerClients);
        using var client = DaprClient.CreateInvokeHttpClient("audit", _api.HttpEndpoint);

        using var small = await client.PostAsync("/echo", new ByteArrayContent(new byte[1024]), Token);
        using var large = await client.PostAsync("/echo", new ByteArrayContent(new byte[1025]), Token);

        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
    }

    [Fact]
    public async Task Invoke_AppAnswers204_TheAnswerAndTheConnectionAfterItStayIntact()
    {
        // An in-memory app, whose 204 carries an empty body stream, unlike one read off a socket. The same
        // client throughout, so each call after a 204 goes out on the connection the 204 came back on.
        await using var audit = await SidecarDouble.StartAsync(new() { AppId = "audit", Network = _network }, Token);
        await using var auditApp = await TestApp.StartAsync(audit, _ => { }, MapExecutor, AppHosting.TestServerHandler);
        using var client = DaprClient.CreateInvokeHttpClient("audit", _api.HttpEndpoint);

        for (var i = 0; i < 10; i++)
        {
            using var forgotten = await client.DeleteAsync("/forget/m1", Token);
            using var after = await client.PostAsJsonAsync("/echo", new Order("o-2", 1), Token);

            Assert.Equal(HttpStatusCode.NoContent, forgotten.StatusCode);
            Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        }
    }

    [Fact]
    public async Task Invoke_UnknownAppId_Is500()
    {
        using var client = DaprClient.CreateInvokeHttpClient("nobody", _api.HttpEndpoint);

        using var response = await client.GetAsync("/echo", Token);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync(Token);
        Assert.Contains("ERR_DIRECT_INVOKE", body, StringComparison.Ordinal);
    }

    private static void MapExecutor(WebApplication app)
    {
        app.MapPost("/echo", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            return Results.Json(new Echo(
                request.Headers["dapr-caller-app-id"].ToString(),
                request.Headers["dapr-callee-app-id"].ToString(),
                request.QueryString.Value ?? "",
                request.ContentType,
                body.Length));
        });
        app.MapDelete("/modules/{id}", (string id, HttpResponse response) =>
        {
            response.Headers["X-Module"] = id;
            return Results.Text("still running", statusCode: StatusCodes.Status409Conflict);
        });
        app.MapDelete("/forget/{id}", (string id) => Results.NoContent());
        app.MapGet("/trace", (HttpRequest request) => $"{request.Headers.TraceParent} {request.Headers.TraceState}");
    }

    private sealed record Echo(string Caller, string Callee, string Query, string? ContentType, long Length);
}
