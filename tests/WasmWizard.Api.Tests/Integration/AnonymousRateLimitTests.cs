using System.Net;
using WasmWizard.Api.Tests.Infrastructure;

namespace WasmWizard.Api.Tests.Integration;

/// <summary>Requests without a valid credential spend a budget per client address: keys cannot be guessed at speed.</summary>
public sealed class AnonymousRateLimitTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task BadKeys_PastTheAddressBudget_EveryCredentialFromThatAddressRefused_HealthStillServed()
    {
        using var app = new WasmWizardApp(new Dictionary<string, string?>
        {
            ["Api:AnonymousBurst"] = "3",
            ["Api:AnonymousRequestsPerMinute"] = "6",
        });
        using var user = await app.CreateUserAsync("enterprise");
        using var guesser = app.ClientWithKey("ww_" + new string('A', 43));

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            answers.Add((await guesser.GetAsync("/api/wasm/modules", Token)).StatusCode);
        }

        var refused = await guesser.GetAsync("/api/wasm/modules", Token);
        using var anonymous = app.CreateClient();

        Assert.Equal(
            [HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized,
             HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests],
            answers);
        await ApiCalls.AssertProblemAsync(refused, HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.TooManyRequests, (await anonymous.GetAsync("/api/wasm/modules", Token)).StatusCode);

        // Were a valid key still served here, the guesser would learn which guess was right from the status alone.
        var rightKey = await user.Client.GetAsync("/api/wasm/modules", Token);
        await ApiCalls.AssertProblemAsync(rightKey, HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/ready", Token)).StatusCode);
    }
}
