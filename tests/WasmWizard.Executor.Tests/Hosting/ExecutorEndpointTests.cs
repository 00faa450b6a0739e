using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Dapr;

namespace WasmWizard.Executor.Tests.Hosting;

/// <summary>The executor's internal endpoints as its sidecar calls them: plain HTTP into the entry point.</summary>
public sealed class ExecutorEndpointTests(ExecutorHostFixture fixture) : IClassFixture<ExecutorHostFixture>
{
    private static readonly RunLimits Limits = new(5_000, 64L * 1024 * 1024, null);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private ExecutorHost Host => fixture.Host;

    [Fact]
    public async Task Prepare_Echo_AnswersItsHashSizeAndMemory_AndKeepsAnArtifact()
    {
        using var http = Host.Factory.CreateClient();

        // Padded with random bytes, so no other test of the class has compiled this module before.
        var module = Modules.PaddedEcho(64 * 1024);

        using var response = await http.PostAsync(ExecutorProtocol.PrepareRoute, Wasm(module), Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var prepared = await response.Content.ReadFromJsonAsync<PreparedModule>(ExecutorProtocol.Json, Token);
        Assert.Equal(new PreparedModule(Modules.Sha256(module), module.Length, 65536), prepared);
        Assert.Single(Host.Artifacts(prepared!.Sha256));
    }

    [Fact]
    public async Task Prepare_NotWasm_IsARefusalWithSuccessStatusAndTheModuleRejectedProblem()
    {
        using var http = Host.Factory.CreateClient();

        using var response = await http.PostAsync(
            ExecutorProtocol.PrepareRoute, Wasm(Encoding.ASCII.GetBytes("#!/bin/sh\necho hi\n")), Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await ProblemAsync(response);
        Assert.Equal(ExecutorProblemTypes.ModuleRejected, problem.GetProperty("type").GetString());
        Assert.Equal(ModuleRejectionCodes.NotWasm, problem.GetProperty("code").GetString());
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Prepare_NotSentAsWasm_Is415()
    {
        using var http = Host.Factory.CreateClient();
        using var content = new ByteArrayContent(Modules.Echo);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");

        using var response = await http.PostAsync(ExecutorProtocol.PrepareRoute, content, Token);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Equal(ExecutorProblemTypes.InvalidRequest, problem.GetProperty("type").GetString());
        Assert.Equal(ExecutorErrorCodes.UnsupportedMediaType, problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Run_AdHocEcho_CopiesStdinAfterItsGreeting()
    {
        using var http = Host.Factory.CreateClient();
        var module = Modules.PaddedEcho(64 * 1024);
        var dto = new ExecutorRunRequestDto(Modules.Sha256(module), "echo.wasm", [], [], Limits, "tenant-1");

        using var response = await http.PostAsync(
            ExecutorProtocol.RunRoute, RunForm(dto, "from stdin"u8.ToArray(), module), Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<RunResult>(ExecutorProtocol.Json, Token);
        Assert.True(result!.Succeeded, result.Message);
        Assert.Equal(Modules.EchoGreeting + "from stdin", Encoding.UTF8.GetString(result.Stdout));

        // An ad-hoc module is not kept on disk.
        Assert.Empty(Host.Artifacts(dto.Sha256));
    }

    [Fact]
    public async Task Run_ArgsAndEnv_ReachTheGuestInOrder()
    {
        using var http = Host.Factory.CreateClient();
        var module = Modules.ArgsAndEnv;
        var dto = new ExecutorRunRequestDto(
            Modules.Sha256(module), "prog.wasm", ["one", "två"], [new("B", "2"), new("A", "1=1")], Limits, null);

        using var response = await http.PostAsync(ExecutorProtocol.RunRoute, RunForm(dto, [], module), Token);

        var result = await response.Content.ReadFromJsonAsync<RunResult>(ExecutorProtocol.Json, Token);
        Assert.True(result!.Succeeded, result.Message);
        Assert.Equal("prog.wasm\0one\0två\0B=2\0A=1=1\0", Encoding.UTF8.GetString(result.Stdout));
    }

    [Fact]
    public async Task Run_StoredModuleWithNoBytesInTheStateStore_IsAModuleNotFoundRefusal()
    {
        using var http = Host.Factory.CreateClient();
        var sha = Modules.Sha256(Encoding.ASCII.GetBytes("never stored"));
        var dto = new ExecutorRunRequestDto(sha, "gone.wasm", [], [], Limits, null);

        using var response = await http.PostAsync(ExecutorProtocol.RunRoute, RunForm(dto, [], module: null), Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Equal(ExecutorProblemTypes.ModuleNotFound, problem.GetProperty("type").GetString());
        Assert.Equal(ExecutorErrorCodes.ModuleNotFound, problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Run_WithoutStdinPart_Is400InvalidRequest()
    {
        using var http = Host.Factory.CreateClient();
        var dto = new ExecutorRunRequestDto(Modules.Sha256(Modules.Echo), "echo.wasm", [], [], Limits, null);
        using var form = new MultipartFormDataContent
        {
            { JsonContent.Create(dto, options: ExecutorProtocol.Json), ExecutorProtocol.RequestPart },
        };

        using var response = await http.PostAsync(ExecutorProtocol.RunRoute, form, Token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Equal(ExecutorErrorCodes.InvalidRequest, problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Forget_DropsTheArtifact()
    {
        using var http = Host.Factory.CreateClient();
        var module = Modules.Sleeper(0);
        var sha = Modules.Sha256(module);
        using (var prepared = await http.PostAsync(ExecutorProtocol.PrepareRoute, Wasm(module), Token))
        {
            Assert.Equal(HttpStatusCode.OK, prepared.StatusCode);
        }

        Assert.Single(Host.Artifacts(sha));

        using var response = await http.DeleteAsync(ExecutorProtocol.ForgetPath(sha), Token);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(Host.Artifacts(sha));
    }

    [Fact]
    public async Task Internal_CallerNotOnLoopbackWithoutAppToken_Is403AndNothingRuns()
    {
        var context = await Host.Factory.Server.SendAsync(
            c =>
            {
                c.Request.Method = HttpMethods.Post;
                c.Request.Path = "/" + ExecutorProtocol.PrepareRoute;
                c.Request.ContentType = ExecutorProtocol.WasmMediaType;
                c.Request.Body = new MemoryStream(Modules.Echo);
                c.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.9");
            },
            Token);

        Assert.Equal(StatusCodes.Status403Forbidden, context.Response.StatusCode);
    }

    [Fact]
    public async Task Health_IsNotBehindTheSidecarGuard()
    {
        var context = await Host.Factory.Server.SendAsync(
            c =>
            {
                c.Request.Path = "/health/live";
                c.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.9");
            },
            Token);

        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
    }

    internal static ByteArrayContent Wasm(byte[] module)
    {
        var content = new ByteArrayContent(module);
        content.Headers.ContentType = new MediaTypeHeaderValue(ExecutorProtocol.WasmMediaType);
        return content;
    }

    private static MultipartFormDataContent RunForm(ExecutorRunRequestDto dto, byte[] stdin, byte[]? module)
    {
        var stdinPart = new ByteArrayContent(stdin);
        stdinPart.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var form = new MultipartFormDataContent
        {
            { JsonContent.Create(dto, options: ExecutorProtocol.Json), ExecutorProtocol.RequestPart },
            { stdinPart, ExecutorProtocol.StdinPart },
        };
        if (module is not null)
        {
            form.Add(Wasm(module), ExecutorProtocol.ModulePart);
        }

        return form;
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Token));
        return document.RootElement.Clone();
    }
}
