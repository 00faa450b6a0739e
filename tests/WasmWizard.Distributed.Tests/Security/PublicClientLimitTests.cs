using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using WasmWizard.Distributed.Tests.Infrastructure;
using WasmWizard.Shared.Dapr;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Distributed.Tests.Security;

/// <summary>
/// Limits a public client of the distributed api cannot get around: the per-address budget of unauthenticated
/// requests, whatever forwarding or Dapr headers it forges, and the 16 MiB module size, a clear 413.
/// </summary>
public sealed class PublicClientLimitTests(DistributedComposition composition) : IClassFixture<DistributedComposition>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static byte[] EchoModule => File.ReadAllBytes(Path.Combine(RepositoryLocation.Root, "examples", "echo.wasm"));

    [Fact]
    public async Task ForgedForwardingHeaders_DoNotEscapeTheAddressBudget()
    {
        var statuses = new List<int>();
        for (var i = 0; i < 25; i++)
        {
            var n = i;
            var context = await composition.Api.Server.SendAsync(
                c =>
                {
                    c.Request.Method = HttpMethods.Get;
                    c.Request.Path = "/api/wasm/modules";
                    c.Request.Headers.Authorization = "Bearer ww_wrongwrongwrong" + n;
                    c.Request.Headers["X-Forwarded-For"] = $"198.51.100.{n}";
                    c.Request.Headers["X-Real-IP"] = $"198.51.100.{n}";
                    c.Request.Headers["Forwarded"] = $"for=198.51.100.{n}";
                    c.Request.Headers["dapr-api-token"] = "guess";
                    c.Request.Headers["dapr-caller-app-id"] = DaprNames.ApiAppId;
                    c.Request.Headers["traceparent"] = $"00-{n:x32}-00f067aa0ba902b7-01";
                    c.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.77");
                },
                Token);
            statuses.Add(context.Response.StatusCode);
        }

        Assert.Equal(StatusCodes.Status429TooManyRequests, statuses[^1]);
    }

    [Fact]
    public async Task ModuleOver16MiB_UploadAndAdHocRun_Are413()
    {
        var (_, user) = await TestUsers.CreateAsync(composition, "pro");
        using var _ = user;
        var big = new byte[(16 * 1024 * 1024) + 1];
        EchoModule.CopyTo(big, 0);
        using var form = new MultipartFormDataContent { { Binary(big, "application/wasm"), "wasm", "big.wasm" } };
        using var adHoc = new MultipartFormDataContent
        {
            { Binary(big, "application/wasm"), "wasm", "big.wasm" },
            { new StringContent("x"), "input" },
        };

        using var upload = await user.PostAsync("/api/wasm/upload", form, Token);
        using var run = await user.PostAsync("/api/wasm/execute", adHoc, Token);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, upload.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, run.StatusCode);
    }

    private static ByteArrayContent Binary(byte[] bytes, string type) =>
        new(bytes) { Headers = { ContentType = new MediaTypeHeaderValue(type) } };
}
