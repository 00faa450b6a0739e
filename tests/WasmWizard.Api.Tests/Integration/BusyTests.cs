using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using WasmWizard.Api.Tests.Infrastructure;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Api.Tests.Integration;

public sealed class BusyTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Execute_AllSlotsBusy_ServiceUnavailableWithRetryAfterAtOnceAndReadinessDegraded()
    {
        var logs = new LogCapture();
        using var app = new WasmWizardApp(
            new Dictionary<string, string?> { ["Sandbox:MaxConcurrentRuns"] = "1" }, services: logs.AddTo);
        using var sleepy = await app.CreateUserAsync();
        using var user = await app.CreateUserAsync();
        var sleeper = await ApiCalls.UploadAsync(sleepy.Client, TestModules.Sleep(TimeSpan.FromMilliseconds(1500)), "sleep.wasm");
        var hello = await ApiCalls.UploadAsync(user.Client, TestModules.Hello, "hello.wasm");

        // Off the test's synchronization context, so the server side of this request runs on its own.
        var busy = Task.Run(() => ApiCalls.ExecuteAsync(sleepy.Client, Guid.Parse(sleeper.GetProperty("id").GetString()!), new { }), Token);
        await ApiCalls.WaitForFreeSlotsAsync(user.Client, 0);
        var started = Stopwatch.GetTimestamp();
        var refused = await ApiCalls.ExecuteAsync(user.Client, Guid.Parse(hello.GetProperty("id").GetString()!), new { });
        var refusedAfter = Stopwatch.GetElapsedTime(started);
        using var ready = await user.Client.GetAsync("/health/ready", Token);

        await ApiCalls.AssertProblemAsync(refused, HttpStatusCode.ServiceUnavailable, "executor_busy");
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        Assert.True(refusedAfter < TimeSpan.FromMilliseconds(500), $"the refusal took {refusedAfter}");
        // A full executor stays in service (see SandboxHealthCheck); it only reports itself degraded.
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var sandbox = (await ApiCalls.BodyAsync(ready)).GetProperty("checks").GetProperty("sandbox");
        Assert.Equal("degraded", sandbox.GetProperty("status").GetString());
        Assert.Equal(0, sandbox.GetProperty("data").GetProperty("free_slots").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await busy).StatusCode);
        // Load shedding is not a fault: the refusal's request line is a warning naming the route, not the module id.
        var refusalLine = Assert.Single(
            logs.JsonLines(), l => l.TryGetProperty("StatusCode", out var s) && s.GetInt32() == 503);
        Assert.Equal("Warning", refusalLine.GetProperty("@l").GetString());
        Assert.Equal("/api/wasm/modules/{id:guid}/execute", refusalLine.GetProperty("Route").GetString());
        Assert.Equal(
            HttpStatusCode.OK,
            (await ApiCalls.ExecuteAsync(user.Client, Guid.Parse(hello.GetProperty("id").GetString()!), new { })).StatusCode);
    }

    [Fact]
    public async Task Execute_AllSlotsBusy_RefusedBeforeTheBodyIsRead()
    {
        // Arrange: the only slot is taken, and the request's body is not even JSON.
        using var app = new WasmWizardApp(new Dictionary<string, string?> { ["Sandbox:MaxConcurrentRuns"] = "1" });
        using var sleepy = await app.CreateUserAsync();
        using var user = await app.CreateUserAsync();
        var sleeper = await ApiCalls.UploadAsync(sleepy.Client, TestModules.Sleep(TimeSpan.FromMilliseconds(1500)), "sleep.wasm");
        var hello = await ApiCalls.UploadAsync(user.Client, TestModules.Hello, "hello.wasm");
        var helloId = hello.GetProperty("id").GetString();
        var busy = Task.Run(() => ApiCalls.ExecuteAsync(sleepy.Client, Guid.Parse(sleeper.GetProperty("id").GetString()!), new { }), Token);
        await ApiCalls.WaitForFreeSlotsAsync(user.Client, 0);

        // Act
        using var garbage = new StringContent("{ not json", System.Text.Encoding.UTF8, "application/json");
        var refused = await user.Client.PostAsync($"/api/wasm/modules/{helloId}/execute", garbage, Token);
        Assert.Equal(HttpStatusCode.OK, (await busy).StatusCode);
        await ApiCalls.WaitForFreeSlotsAsync(user.Client, 1);
        using var again = new StringContent("{ not json", System.Text.Encoding.UTF8, "application/json");
        var readOnceFree = await user.Client.PostAsync($"/api/wasm/modules/{helloId}/execute", again, Token);

        // Assert: load shedding answers first; the malformed body is only judged once a slot is free.
        await ApiCalls.AssertProblemAsync(refused, HttpStatusCode.ServiceUnavailable, "executor_busy");
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        await ApiCalls.AssertProblemAsync(readOnceFree, HttpStatusCode.BadRequest, "invalid_json");
    }

    [Fact]
    public async Task Execute_AllSlotsBusy_ShedBeforeAuthenticationWhileOtherRoutesStillServe()
    {
        // Arrange: the only slot is taken.
        using var app = new WasmWizardApp(new Dictionary<string, string?> { ["Sandbox:MaxConcurrentRuns"] = "1" });
        using var sleepy = await app.CreateUserAsync();
        using var user = await app.CreateUserAsync();
        using var anonymous = app.CreateClient();
        var sleeper = await ApiCalls.UploadAsync(sleepy.Client, TestModules.Sleep(TimeSpan.FromMilliseconds(1500)), "sleep.wasm");
        var hello = await ApiCalls.UploadAsync(user.Client, TestModules.Hello, "hello.wasm");
        var helloPath = $"/api/wasm/modules/{hello.GetProperty("id").GetString()}/execute";
        var busy = Task.Run(() => ApiCalls.ExecuteAsync(sleepy.Client, Guid.Parse(sleeper.GetProperty("id").GetString()!), new { }), Token);
        await ApiCalls.WaitForFreeSlotsAsync(user.Client, 0);

        // Act
        var anonymousWhileBusy = await anonymous.PostAsJsonAsync(helloPath, new { }, Token);
        using var adHoc = new MultipartFormDataContent { { new ByteArrayContent(TestModules.Hello), "wasm", "hello.wasm" } };
        var adHocWhileBusy = await user.Client.PostAsync("/api/wasm/execute", adHoc, Token);
        var listWhileBusy = await user.Client.GetAsync("/api/wasm/modules", Token);
        Assert.Equal(HttpStatusCode.OK, (await busy).StatusCode);
        await ApiCalls.WaitForFreeSlotsAsync(user.Client, 1);
        var anonymousOnceFree = await anonymous.PostAsJsonAsync(helloPath, new { }, Token);

        // Assert: a full executor refuses runs before it spends anything on the caller; nothing else is refused.
        await ApiCalls.AssertProblemAsync(anonymousWhileBusy, HttpStatusCode.ServiceUnavailable, "executor_busy");
        Assert.Equal(TimeSpan.FromSeconds(1), anonymousWhileBusy.Headers.RetryAfter?.Delta);
        await ApiCalls.AssertProblemAsync(adHocWhileBusy, HttpStatusCode.ServiceUnavailable, "executor_busy");
        Assert.Equal(HttpStatusCode.OK, listWhileBusy.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymousOnceFree.StatusCode);
    }
}
