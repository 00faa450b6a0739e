using System.Net;
using System.Xml;
using Dapr;
using Dapr.Actors.Client;
using Microsoft.Extensions.Options;
using WasmWizard.Shared.Dapr;
using WasmWizard.Shared.RateLimiting;
using WasmWizard.Shared.Tests.Infrastructure;

namespace WasmWizard.Shared.Tests.Dapr;

/// <summary>
/// The limiter over Dapr's real typed proxy, with the sidecar's HTTP port stubbed inside the client: what the
/// remoting call looks like on the wire, and how the proxy's real failures end.
/// </summary>
public sealed class ActorRequestRateLimiterSidecarTests
{
    private const string SidecarEndpoint = "http://127.0.0.1:3500";
    private static readonly RateLimitPolicy Free = new(PerMinute: 10, PerHour: 100, Burst: 5);

    private readonly ListLogger<ActorRequestRateLimiter> _logger = new();

    [Fact]
    public async Task AcquireAsync_TypedProxy_PutsADataContractBodyToTheActorMethod()
    {
        var sidecar = new StubSidecarHandler(_ => Task.FromResult(DaprError(HttpStatusCode.InternalServerError)));
        var limiter = CreateLimiter(sidecar, TimeSpan.FromSeconds(5));

        await limiter.AcquireAsync("key:a:free", Free, TestContext.Current.CancellationToken);

        var request = Assert.Single(sidecar.Requests);
        Assert.Equal(HttpMethod.Put, request.Method);
        Assert.Equal(
            $"{SidecarEndpoint}/v1.0/actors/{DaprNames.RateLimitActorType}/key:a:free/method/AcquireAsync",
            request.Uri.OriginalString);
        Assert.Equal("application/octet-stream", request.ContentType);
        Assert.Contains("AcquireAsync", request.Headers["X-DaprRequestHeader"], StringComparison.Ordinal);
        var body = BinaryXmlToText(request.Body);
        Assert.Contains($"xmlns:a=\"{DaprNames.ContractNamespace}\"", body, StringComparison.Ordinal);
        Assert.Contains("<a:PerMinute>10</a:PerMinute><a:PerHour>100</a:PerHour><a:Burst>5</a:Burst>", body,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task AcquireAsync_SidecarAnswersAnError_AllowsUncountedAndWarns()
    {
        var sidecar = new StubSidecarHandler(_ => Task.FromResult(DaprError(HttpStatusCode.InternalServerError)));
        var limiter = CreateLimiter(sidecar, TimeSpan.FromSeconds(5));

        var decision = await limiter.AcquireAsync("key:a:free", Free, TestContext.Current.CancellationToken);

        Assert.True(decision.Allowed);
        Assert.Null(decision.Remaining);
        var warning = Assert.Single(_logger.Entries);
        Assert.IsType<DaprApiException>(warning.Exception);
        Assert.Equal("ERR_ACTOR_INSTANCE_MISSING", ((DaprApiException)warning.Exception!).ErrorCode);
    }

    [Fact]
    public async Task AcquireAsync_SidecarHangs_AbortsTheHttpCallAtTheDeadline()
    {
        var sidecar = new StubSidecarHandler(async token =>
        {
            await Task.Delay(Timeout.Infinite, token);
            throw new InvalidOperationException("unreachable");
        });
        var limiter = CreateLimiter(sidecar, TimeSpan.FromMilliseconds(50));

        var decision = await limiter.AcquireAsync("key:a:free", Free, TestContext.Current.CancellationToken);

        Assert.True(decision.Allowed);
        Assert.Null(decision.Remaining);
        Assert.Equal(9101, Assert.Single(_logger.Entries).EventId.Id);
        // The proxy hands the token to HttpClient, so the request is cancelled rather than left running.
        await sidecar.Cancelled.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    private ActorRequestRateLimiter CreateLimiter(StubSidecarHandler sidecar, TimeSpan timeout)
    {
        var proxies = new ActorProxyFactory(new ActorProxyOptions { HttpEndpoint = SidecarEndpoint }, sidecar);
        var options = Options.Create(new ActorRateLimiterOptions { Timeout = timeout });
        return new ActorRequestRateLimiter(proxies, options, TimeProvider.System, _logger);
    }

    private static HttpResponseMessage DaprError(HttpStatusCode status) => new(status)
    {
        Content = new StringContent(
            """{"errorCode":"ERR_ACTOR_INSTANCE_MISSING","message":"actor instance is missing"}"""),
    };

    private static string BinaryXmlToText(byte[] body)
    {
        using var reader = XmlDictionaryReader.CreateBinaryReader(body, XmlDictionaryReaderQuotas.Max);
        reader.MoveToContent();
        return reader.ReadOuterXml();
    }
}
