using System.Net;
using System.Net.Http.Headers;
using System.Text;
using WasmWizard.Api.Tests.Infrastructure;

namespace WasmWizard.Api.Tests.Integration;

/// <summary>Bad input gets a clear 4xx problem, loses nothing, and leaves the service healthy.</summary>
public sealed class BadInputTests : IClassFixture<BadInputTests.App>
{
    private const int MaxModuleBytes = 64 * 1024;
    private const int MaxInputBytes = 1024;
    private const int MaxFieldBytes = 4096;

    private readonly WasmWizardApp _app;

    public BadInputTests(App app) => _app = app.Instance;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Upload_EmptyBody_UnsupportedMediaType()
    {
        using var user = await _app.CreateUserAsync();

        var response = await user.Client.PostAsync("/api/wasm/upload", new ByteArrayContent([]), Token);

        await ApiCalls.AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        await AssertStillHealthy(user);
    }

    [Fact]
    public async Task Upload_EmptyMultipart_BadRequest()
    {
        using var user = await _app.CreateUserAsync();
        var content = new ByteArrayContent([]);
        content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=abc");

        var response = await user.Client.PostAsync("/api/wasm/upload", content, Token);

        await ApiCalls.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_multipart");
    }

    [Fact]
    public async Task Upload_WrongContentType_UnsupportedMediaType()
    {
        using var user = await _app.CreateUserAsync();

        var response = await user.Client.PostAsync(
            "/api/wasm/upload", new StringContent("{\"wasm\":\"AGFzbQ==\"}", Encoding.UTF8, "application/json"), Token);

        await ApiCalls.AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Fact]
    public async Task Upload_MalformedMultipart_BadRequest()
    {
        using var user = await _app.CreateUserAsync();
        var content = new StringContent(
            "--abc\r\nContent-Disposition: form-data; name=\"wasm\"; filename=\"m.wasm\"\r\n\r\n\0asm\u0001\0\0\0 and no closing boundary",
            Encoding.Latin1);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=abc");

        var response = await user.Client.PostAsync("/api/wasm/upload", content, Token);

        await ApiCalls.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_multipart");
    }

    [Fact]
    public async Task Upload_NoWasmPart_BadRequestNamingIt()
    {
        using var user = await _app.CreateUserAsync();
        using var form = new MultipartFormDataContent { { new StringContent("x"), "name" } };

        var response = await user.Client.PostAsync("/api/wasm/upload", form, Token);

        var problem = await ApiCalls.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_field");
        Assert.Contains("wasm", problem.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_OversizedModule_PayloadTooLarge()
    {
        using var user = await _app.CreateUserAsync();
        var big = new byte[MaxModuleBytes + 1];
        TestModules.Hello.CopyTo(big, 0);

        var response = await user.Client.PostAsync("/api/wasm/upload", ApiCalls.ModuleForm(big), Token);

        await ApiCalls.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "module_too_large");
        await AssertStillHealthy(user);
    }

    [Fact]
    public async Task Upload_NotWebAssembly_BadRequestNotWasm()
    {
        using var user = await _app.CreateUserAsync();

        var response = await user.Client.PostAsync(
            "/api/wasm/upload", ApiCalls.ModuleForm(Encoding.UTF8.GetBytes("#!/bin/sh\necho hi\n")), Token);

        await ApiCalls.AssertProblemAsync(response, HttpStatusCode.BadRequest, "not_wasm");
    }

    [Fact]
    public async Task Upload_Component_BadRequestComponentNotSupported()
    {
        using var user = await _app.CreateUserAsync();
        byte[] component = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];

        var response = await user.Client.PostAsync("/api/wasm/upload", ApiCalls.ModuleForm(component), Token);

        await ApiCalls.AssertProblemAsync(response, HttpStatusCode.BadRequest, "component_not_supported");
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("..")]
    [InlineData("a\\b.wasm")]
    [InlineData("tab\there")]
    public async Task Upload_BadModuleName_BadRequestAndNothingStored(string name)
    {
        using var user = await _app.CreateUserAsync();
        using var form = ApiCalls.ModuleForm(TestModules.Hello, "m.wasm", ("name", name));

        var response = await user.Client.PostAsync("/api/wasm/upload", form, Token);
        var list = await ApiCalls.BodyAsync(await user.Client.GetAsync("/api/wasm/modules", Token));

        await ApiCalls.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_field");
        Assert.Equal(0, list.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Upload_PathInFileName_KeepsOnlyTheLastSegment()
    {
        using var user = await _app.CreateUserAsync();

        var response = await user.Client.PostAsync("/api/wasm/upload", ApiCalls.ModuleForm(TestModules.Hello, "../../x/hello.wasm"), Token);
        var module = await ApiCalls.BodyAsync(response);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("hello.wasm", module.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Upload_BadIsPublic_BadRequest()
    {
        using var user = await _app.CreateUserAsync();
        using var form = ApiCalls.ModuleForm(TestModules.Hello, "m.wasm", ("is_public", "maybe"));

        var response = await user.Client.PostAsync("/api/wasm/upload", form, Token);

        await ApiCalls.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_field");
    }

    [Theory]
    [InlineData("{\"args\": \"not-a-list\"}", "invalid_field")]
    [InlineData("{\"env\": [\"A=1\"]}", "invalid_field")]
    [InlineData("{\"env\": {\"A\": 1}}", "invalid_field")]
    [InlineData("{\"input\": \"a\", \"input_base64\": \"YQ==\"}", "invalid_field")]
    [InlineData("{\"input_base64\": \"***\"}", "invalid_field")]
    [InlineData("{\"timeout_ms\": \"soon\"}", "invalid_field")]
    [InlineData("{\"timeout_ms\": 60000}", "limit_exceeds_tier")]
    [InlineData("{\"memory_limit_mb\": 4096}", "limit_exceeds_tier")]
    [InlineData("{\"timeout_ms\": 0}", "limit_exceeds_tier")]
    [InlineData("{\"fuel\": -5}", "invalid_field")]
    [InlineData("{\"args\": [\"a\\u0000b\"]}", "invalid_args")]
    [InlineData("{\"env\": {\"A=B\": \"1\"}}", "invalid_env")]
    [InlineData("{\"inptu\": \"ping\"}", "invalid_field")]
    [InlineData("{\"input\": ", "invalid_json")]
    public async Task Execute_BadJsonBody_BadRequestNamingTheProblem(string json, string code)
    {
        using var user = await _app.CreateUserAsync();
        var module = await ApiCalls.UploadAsync(user.Client, TestModules.Hello, "hello.wasm");

        var response = await user.Client.PostAsync(
            $"/api/wasm/modules/{module.GetProperty("id").GetString()}/execute",
            new StringContent(json, Encoding.UTF8, "application/json"),
            Token);

        await ApiCalls.AssertProblemAsync(response, HttpStatusCode.BadRequest, code);
        await AssertStillHealthy(user);
    }

    [Fact]
    public async Task Execute_DeeplyNestedJson_BadRequest()
    {
        using var user = await _app.CreateUserAsync();
        var module = await ApiCalls.UploadAsync(user.Client, TestModules.Hello, "hello.wasm");
        var nested = string.Concat(Enumerable.Repeat("{\"a\":", 500)) + "1" + new string('}', 500);

        var response = await user.Client.PostAsync(
            $"/api/wasm/modules/{module.GetProperty("id").GetString()}/execute",
            new StringContent(nested, Encoding.UTF8, "application/json"),
            Token);

        await ApiCalls.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_json");
        await AssertStillHealthy(user);
    }

    [Theory]
    [InlineData("{\"input\": \"\\ud800\"}")]
    [InlineData("{\"args\": [\"\\udc00\"]}")]
    [InlineData("{\"env\": {\"\\ud800\": \"x\"}}")]
    [InlineData("{\"env\": {\"A\": \"\\ud800\"}}")]
    public async Task Execute_LoneSurrogateEscapes_BadRequest(string json)
    {
        using var user = await _app.CreateUserAsync();
        var module = await ApiCalls.UploadAsync(user.Client, TestModules.Hello, "hello.wasm");

        var response = await user.Client.PostAsync(
            $"/api/wasm/modules/{module.GetProperty("id").GetString()}/execute",
            new StringContent(json, Encoding.UTF8, "application/json"),
            Token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await AssertStillHealthy(user);
    }

    [Fact]
    public async Task CreateKey_InvalidUtf8InJson_BadRequest()
    {
        using var user = await _app.CreateUserAsync();
        var content = new ByteArrayContent([.. "{\"name\": \"a"u8, 0xc3, 0x28, .. "\"}"u8]);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");

        var response = await user.Client.PostAsync("/api/auth/keys", content, Token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Execute_JsonInAnotherCharset_UnsupportedMediaType()
    {
        using var user = await _app.CreateUserAsync();
        var module = await ApiCalls.UploadAsync(user.Client, TestModules.Hello, "hello.wasm");
        var content = new StringContent("{\"input\": \"caf\u00e9\"}", Encoding.Latin1);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json; charset=iso-8859-1");

        var response = await user.Client.PostAsync($"/api/wasm/modules/{module.GetProperty("id").GetString()}/execute", content, Token);

        await ApiCalls.AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Fact]
    public async Task Execute_ChunkedBodyWithoutContentType_UnsupportedMediaType()
    {
        using var user = await _app.CreateUserAsync();
        var module = await ApiCalls.UploadAsync(user.Client, TestModules.Hello, "hello.wasm");
        var content = new StreamContent(new MemoryStream("{\"timeout_ms\": 99999}"u8.ToArray()));

        var response = await user.Client.PostAsync($"/api/wasm/modules/{module.GetProperty("id").GetString()}/execute", content, Token);

        await ApiCalls.AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Fact]
    public async Task Execute_DuplicateMembers_BadRequest()
    {
        using var user = await _app.CreateUserAsync();
        var module = await ApiCalls.UploadAsync(user.Client, TestModules.Hello, "hello.wasm");

        var response = await user.Client.PostAsync(
            $"/api/wasm/modules/{module.GetProperty("id").GetString()}/execute",
            new StringContent("{\"timeout_ms\": 100, \"timeout_ms\": 99999}", Encoding.UTF8, "application/json"),
            Token);

        await ApiCalls.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_json");
    }

    [Fact]
    public async Task ExecuteAdHoc_OptionsSentAsFileParts_Honoured()
    {
        using var user = await _app.CreateUserAsync();
        using var form = ApiCalls.ModuleForm(TestModules.Args, "args.wasm");
        form.Add(new ByteArrayContent("[\"one\", \"two\"]"u8.ToArray()), "args", "args.json");
        using var tooLong = ApiCalls.ModuleForm(TestModules.Args, "args.wasm");
        tooLong.Add(new ByteArrayContent("99999"u8.ToArray()), "timeout_ms", "t.txt");

        var body = await ApiCalls.BodyAsync(await user.Client.PostAsync("/api/wasm/execute", form, Token));
        var refused = await user.Client.PostAsync("/api/wasm/execute", tooLong, Token);

        Assert.Equal("args.wasm\0one\0two\0", body.GetProperty("output").GetString());
        await ApiCalls.AssertProblemAsync(refused, HttpStatusCode.BadRequest, "limit_exceeds_tier");
    }

    [Fact]
    public async Task Upload_ChunkedBodyOverTotalLimit_PayloadTooLarge()
    {
        using var user = await _app.CreateUserAsync();
        using var form = new MultipartFormDataContent();
        for (var i = 0; i < 6; i++)
        {
            // Each part is under its own limit; together they pass the body limit (module + 4 fields).
            form.Add(new ByteArrayContent(new byte[MaxFieldBytes - 100]), $"f{i}", $"f{i}.bin");
        }

        form.Add(new ByteArrayContent(new byte[MaxModuleBytes - 100]), "wasm", "m.wasm");
        var chunked = new StreamContent(await form.ReadAsStreamAsync(Token));
        chunked.Headers.ContentType = form.Headers.ContentType;

        var response = await user.Client.PostAsync("/api/wasm/upload", chunked, Token);

        await ApiCalls.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        await AssertStillHealthy(user);
    }

    [Fact]
    public async Task Execute_NotJson_UnsupportedMediaType()
    {
        using var user = await _app.CreateUserAsync();
        var module = await ApiCalls.UploadAsync(user.Client, TestModules.Hello, "hello.wasm");

        var response = await user.Client.PostAsync(
            $"/api/wasm/modules/{module.GetProperty("id").GetString()}/execute", new StringContent("input=x"), Token);

        await ApiCalls.AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Fact]
    public async Task Execute_OversizedInput_PayloadTooLarge()
    {
        using var user = await _app.CreateUserAsync();
        var module = await ApiCalls.UploadAsync(user.Client, TestModules.Echo, "echo.wasm");

        var response = await ApiCalls.ExecuteAsync(
            user.Client, Guid.Parse(module.GetProperty("id").GetString()!), new { input = new string('x', MaxInputBytes + 1) });

        await ApiCalls.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "input_too_large");
    }

    [Fact]
    public async Task ExecuteAdHoc_OversizedInput_PayloadTooLarge()
    {
        using var user = await _app.CreateUserAsync();
        using var form = ApiCalls.ModuleForm(TestModules.Echo);
        form.Add(new ByteArrayContent(new byte[MaxInputBytes + 1]), "input", "input.bin");

        var response = await user.Client.PostAsync("/api/wasm/execute", form, Token);

        await ApiCalls.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "input_too_large");
    }

    [Fact]
    public async Task ExecuteAdHoc_HundredsOfParts_BadRequest()
    {
        using var user = await _app.CreateUserAsync();
        using var form = ApiCalls.ModuleForm(TestModules.Hello);
        for (var i = 0; i < 600; i++)
        {
            form.Add(new StringContent("x"), $"f{i}");
        }

        var response = await user.Client.PostAsync("/api/wasm/execute", form, Token);

        await ApiCalls.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_multipart");
        await AssertStillHealthy(user);
    }

    [Theory]
    [InlineData("page=abc")]
    [InlineData("page=0")]
    [InlineData("limit=1000")]
    [InlineData("include_public=perhaps")]
    [InlineData("page=1&page=2")]
    public async Task ListModules_BadQuery_BadRequest(string query)
    {
        using var user = await _app.CreateUserAsync();

        var response = await user.Client.GetAsync($"/api/wasm/modules?{query}", Token);

        await ApiCalls.AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_query");
    }

    [Fact]
    public async Task UnknownRoute_NotFoundProblem()
    {
        using var user = await _app.CreateUserAsync();

        var response = await user.Client.GetAsync("/api/wasm/nothing-here", Token);

        await ApiCalls.AssertProblemAsync(response, HttpStatusCode.NotFound, "not_found");
    }

    private static async Task AssertStillHealthy(TestUser user)
    {
        Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync("/health/ready", Token)).StatusCode);
        var module = await ApiCalls.UploadAsync(user.Client, TestModules.Hello, "after.wasm");
        var run = await ApiCalls.ExecuteAsync(user.Client, Guid.Parse(module.GetProperty("id").GetString()!), new { });
        Assert.Equal(HttpStatusCode.OK, run.StatusCode);
    }

    /// <summary>A host with small body limits, so the limits can be crossed cheaply.</summary>
    public sealed class App : IDisposable
    {
        public WasmWizardApp Instance { get; } = new(new Dictionary<string, string?>
        {
            ["Api:MaxModuleBytes"] = MaxModuleBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Api:MaxInputBytes"] = MaxInputBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Api:MaxFieldBytes"] = MaxFieldBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

        public void Dispose() => Instance.Dispose();
    }
}
