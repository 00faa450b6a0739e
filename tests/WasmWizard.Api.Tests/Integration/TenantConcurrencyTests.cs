using System.Diagnostics;
using System.Net;
using WasmWizard.Shared.Execution;
using WasmWizard.Api.Tests.Infrastructure;

namespace WasmWizard.Api.Tests.Integration;

public sealed class TenantConcurrencyTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OneTenantSaturating_OtherTenantStillServed()
    {
        using var app = new WasmWizardApp(new Dictionary<string, string?>
        {
            ["Sandbox:MaxConcurrentRuns"] = "4",
            ["Api:Tiers:free:MaxConcurrentExecutions"] = "2",
        });
        using var flooder = await app.CreateUserAsync("free");
        using var other = await app.CreateUserAsync("free");
        var sleeper = await ApiCalls.UploadAsync(flooder.Client, TestModules.Sleep(TimeSpan.FromSeconds(2)), "sleep.wasm");
        var hello = await ApiCalls.UploadAsync(other.Client, TestModules.Hello, "hello.wasm");
        var sleeperId = Guid.Parse(sleeper.GetProperty("id").GetString()!);

        // The flooder fills its two slots (off the test's synchronization context, so they really run at once).
        var running = Enumerable.Range(0, 2)
            .Select(_ => Task.Run(() => ApiCalls.ExecuteAsync(flooder.Client, sleeperId, new { }), Token))
            .ToList();
        await ApiCalls.WaitForFreeSlotsAsync(app.CreateClient(), 2);

        var started = Stopwatch.GetTimestamp();
        var third = await ApiCalls.ExecuteAsync(flooder.Client, sleeperId, new { });
        var refusedAfter = Stopwatch.GetElapsedTime(started);
        var served = await ApiCalls.ExecuteAsync(other.Client, Guid.Parse(hello.GetProperty("id").GetString()!), new { });

        await ApiCalls.AssertProblemAsync(third, HttpStatusCode.TooManyRequests, "concurrency_limited");
        Assert.NotNull(third.Headers.RetryAfter);
        Assert.True(refusedAfter < TimeSpan.FromMilliseconds(500), $"the refusal took {refusedAfter}");
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.All(await Task.WhenAll(running), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
    }
}
