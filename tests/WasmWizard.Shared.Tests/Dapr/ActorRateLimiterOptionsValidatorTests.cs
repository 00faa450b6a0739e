using WasmWizard.Shared.Dapr;

namespace WasmWizard.Shared.Tests.Dapr;

public sealed class ActorRateLimiterOptionsValidatorTests
{
    private readonly ActorRateLimiterOptionsValidator _validator = new();

    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        var result = _validator.Validate(null, new ActorRateLimiterOptions());

        Assert.True(result.Succeeded);
        Assert.Equal(TimeSpan.FromMilliseconds(500), new ActorRateLimiterOptions().Timeout);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("-00:00:01")]
    [InlineData("00:00:30.001")]
    public void Validate_TimeoutOutOfRange_FailsNamingTheKey(string timeout)
    {
        var options = new ActorRateLimiterOptions { Timeout = TimeSpan.Parse(timeout, null) };

        var result = _validator.Validate(null, options);

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("RateLimiting:Actor:Timeout must be", failure, StringComparison.Ordinal);
    }
}
