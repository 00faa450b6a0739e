using System.Net;
using System.Net.Http.Headers;
using System.Text;
using WasmWizard.Api.Tests.Infrastructure;

namespace WasmWizard.Api.Tests.Integration;

/// <summary>Headers on every response, CORS off by default, and hostile input answered with 4xx on a real server.</summary>
public sealed class HardenedSurfaceTests : IClassFixture<HardenedSurfaceTests.App>
{
    private readonly WasmWizardApp _app;

    public HardenedSurfaceTests(App app) => _app = app.Instance;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/health", HttpStatusCode.OK)]
    [InlineData("/api/wasm/modules", HttpStatusCode.Unauthorized)]
    [InlineData("/api/nothing", HttpStatusCode.NotFound)]
    public async Task AnyResponse_CarriesSecurityHeadersAndRequestIdButNoServerBanner(string path, HttpStatusCode status)
    {
        using var client = _app.CreateClient();

        var response = await client.GetAsync(path, Token);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.Contains("default-src 'none'", Header(response, "Content-Security-Policy"), StringComparison.Ordinal);
        Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
        Assert.Matches("^[0-9a-f]{32}$", Header(response, "X-Request-Id"));
        Assert.False(response.Headers.Contains("Server"));
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task IncomingTraceparent_BecomesTheRequestId()
    {
        using var client = _app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        request.Headers.Add("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");

        var response = await client.SendAsync(request, Token);

        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", Header(response, "X-Request-Id"));
    }

    [Fact]
    public async Task Problem_CarriesTheRequestIdToo()
    {
        using var client = _app.CreateClient();

        var response = await client.GetAsync("/api/wasm/modules", Token);
        var body = await ApiCalls.BodyAsync(response);

        Assert.Equal(Header(response, "X-Request-Id"), body.GetProperty("request_id").GetString());
    }

    [Fact]
    public async Task Cors_NotConfigured_NoCrossOriginPermission()
    {
        using var client = _app.CreateClient();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/wasm/modules");
        preflight.Headers.Add("Origin", "https://evil.example");
        preflight.Headers.Add("Access-Control-Request-Method", "GET");

        var response = await client.SendAsync(preflight, Token);

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Cors_Configured_OnlyListedOriginsAllowed()
    {
        using var app = new WasmWizardApp(new Dictionary<string, string?> { ["Api:CorsAllowedOrigins:0"] = "https://app.example" });
        using var client = app.CreateClient();

        var allowed = await Preflight(client, "https://app.example");
        var other = await Preflight(client, "https://evil.example");

        Assert.Equal("https://app.example", Header(allowed, "Access-Control-Allow-Origin"));
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
    }

    public static TheoryData<string, Func<HttpRequestMessage>, HttpStatusCode[]> HostileRequests => new()
    {
        {
            "40 KB header", () => Get("/api/wasm/modules", ("X-Big", new string('a', 40 * 1024))),
            [HttpStatusCode.RequestHeaderFieldsTooLarge]
        },
        {
            "100 headers", () => Get("/health", [.. Enumerable.Range(0, 100).Select(i => ($"X-H{i}", "v"))]),
            [HttpStatusCode.RequestHeaderFieldsTooLarge]
        },
        { "10 KB query", () => Get("/api/wasm/modules?q=" + new string('q', 10 * 1024)), [HttpStatusCode.RequestUriTooLong] },
        { "non-numeric page", () => Authed(Get("/api/wasm/modules?page=%00x")), [HttpStatusCode.BadRequest] },
        { "path traversal in route", () => Authed(Get("/api/wasm/modules/..%2F..%2Fetc%2Fpasswd")), [HttpStatusCode.NotFound] },
        {
            "unknown method", () => Authed(new HttpRequestMessage(HttpMethod.Patch, "/api/wasm/modules")),
            [HttpStatusCode.MethodNotAllowed]
        },
        {
            "thousands of multipart parts",
            () => Authed(Post("/api/wasm/execute", ManyParts(3000))),
            [HttpStatusCode.BadRequest, HttpStatusCode.RequestEntityTooLarge]
        },
        {
            "deeply nested JSON",
            () => Authed(Post("/api/auth/keys", Json(string.Concat(Enumerable.Repeat("{\"a\":", 2000)) + "1" + new string('}', 2000)))),
            [HttpStatusCode.BadRequest]
        },
        {
            "invalid UTF-8 in a module name",
            () => Authed(Post("/api/wasm/upload", UploadWithRawName([0x6d, 0xff, 0xfe, 0x2e, 0x77]))),
            [HttpStatusCode.BadRequest]
        },
        {
            "path traversal in a module name",
            () => Authed(Post("/api/wasm/upload", Upload(("name", "../../../etc/passwd")))),
            [HttpStatusCode.BadRequest]
        },
        {
            "declared body far over the limit",
            () => Authed(HugeDeclaredBody("/api/auth/keys", 900_000_000)),
            [HttpStatusCode.RequestEntityTooLarge]
        },
    };

    [Theory]
    [MemberData(nameof(HostileRequests))]
    public async Task HostileRequest_FourHundredAndServiceStillHealthy(
        string what, Func<HttpRequestMessage> request, HttpStatusCode[] allowed)
    {
        _ = what;
        using var client = _app.CreateClient();
        using var message = request();
        if (message.Headers.Authorization is { Parameter: "user" })
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", (await _app.CreateUserAsync()).ApiKey);
        }

        var response = await client.SendAsync(message, Token);

        Assert.Contains(response.StatusCode, allowed);
        using var probe = _app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync("/health/ready", Token)).StatusCode);
        using var user = await _app.CreateUserAsync();
        var module = await ApiCalls.UploadAsync(user.Client, TestModules.Hello, "hello.wasm");
        var run = await ApiCalls.ExecuteAsync(user.Client, Guid.Parse(module.GetProperty("id").GetString()!), new { });
        Assert.Equal(HttpStatusCode.OK, run.StatusCode);
    }

    private static async Task<HttpResponseMessage> Preflight(HttpClient client, string origin)
    {
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/wasm/modules");
        preflight.Headers.Add("Origin", origin);
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        return await client.SendAsync(preflight, Token);
    }

    private static HttpRequestMessage Get(string path, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    private static HttpRequestMessage Post(string path, HttpContent content) => new(HttpMethod.Post, path) { Content = content };

    // The key is filled in by the test, which has the app to create a user with.
    private static HttpRequestMessage Authed(HttpRequestMessage request)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "user");
        return request;
    }

    private static HttpContent Json(string json) => new StringContent(json, Encoding.UTF8, "application/json");

    // Announces a huge JSON body and waits (Expect: 100-continue) for the server's verdict before sending it.
    private static HttpRequestMessage HugeDeclaredBody(string path, long length)
    {
        var content = new StreamContent(new ZeroStream(length));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.ContentLength = length;
        var request = Post(path, content);
        request.Headers.ExpectContinue = true;
        return request;
    }

    private static MultipartFormDataContent ManyParts(int count)
    {
        var form = ApiCalls.ModuleForm(TestModules.Hello);
        for (var i = 0; i < count; i++)
        {
            form.Add(new StringContent("x"), $"p{i}");
        }

        return form;
    }

    private static MultipartFormDataContent Upload(params (string Name, string Value)[] fields) =>
        ApiCalls.ModuleForm(TestModules.Hello, "m.wasm", fields);

    private static MultipartFormDataContent UploadWithRawName(byte[] name)
    {
        var form = ApiCalls.ModuleForm(TestModules.Hello);
        form.Add(new ByteArrayContent(name), "name");
        return form;
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single()
        : response.Content.Headers.TryGetValues(name, out var content) ? content.Single()
        : throw new Xunit.Sdk.XunitException($"no {name} header");

    public sealed class App : IDisposable
    {
        public WasmWizardApp Instance { get; } = new(kestrel: true);

        public void Dispose() => Instance.Dispose();
    }

    /// <summary>A stream of zeros of a given length that is never materialised.</summary>
    private sealed class ZeroStream(long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            Array.Clear(buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
