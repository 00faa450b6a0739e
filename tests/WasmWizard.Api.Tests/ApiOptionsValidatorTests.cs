using Microsoft.Extensions.Configuration;
using WasmWizard.Shared.Contracts;
namespace WasmWizard.Api.Tests;

public sealed class ApiOptionsValidatorTests
{
    private readonly ApiOptionsValidator _validator = new();

    [Fact]
    public void Validate_Defaults_Succeed()
    {
        Assert.True(_validator.Validate(null, new ApiOptions()).Succeeded);
    }

    [Fact]
    public void Validate_BadTiersAndLimits_ReportedWithKeys()
    {
        var options = new ApiOptions { MaxModuleBytes = 0, DefaultPageSize = 500 };
        options.Tiers.Remove("basic");
        options.Tiers["pro"].MaxTimeoutMs = 0;
        options.Tiers["platinum"] = new TierLimits { MaxTimeoutMs = 1, MaxMemoryLimitMb = 1 };
        options.Tiers["free"].MaxFuel = 0;

        var failures = _validator.Validate(null, options).Failures!.ToList();

        foreach (var key in new[]
        {
            "Api:MaxModuleBytes", "Api:DefaultPageSize", "Api:Tiers:basic", "Api:Tiers:pro:MaxTimeoutMs",
            "Api:Tiers:platinum", "Api:Tiers:free:MaxFuel",
        })
        {
            Assert.Contains(failures, f => f.Contains(key, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("secret-password-MARKER")]
    [InlineData("ww_MARKERAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("")]
    public void Validate_BadAdminApiKey_NamesTheSettingNotTheValue(string key)
    {
        var failures = _validator.Validate(null, new ApiOptions { AdminApiKey = key }).Failures!.ToList();

        var failure = Assert.Single(failures);
        Assert.StartsWith("Api:AdminApiKey", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("MARKER", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_GeneratedAdminApiKeyWithTrailingNewline_Succeeds()
    {
        var options = new ApiOptions { AdminApiKey = WasmWizard.Api.Auth.ApiKeys.Generate() + "\n" };

        Assert.True(_validator.Validate(null, options).Succeeded);
    }

    [Fact]
    public void Validate_TrustForwardedHeadersWithoutAppToken_FailsNamingBoth()
    {
        var options = new ApiOptions { TrustForwardedHeaders = true, ForwardedHopsTrusted = 0 };

        var failures = _validator.Validate(null, options).Failures!.ToList();

        Assert.Contains(failures, f => f.Contains("Api:TrustForwardedHeaders", StringComparison.Ordinal)
            && f.Contains("APP_API_TOKEN", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Api:ForwardedHopsTrusted", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_TrustForwardedHeadersWithAppToken_Succeeds()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["APP_API_TOKEN"] = "token" })
            .Build();

        var result = new ApiOptionsValidator(configuration).Validate(null, new ApiOptions { TrustForwardedHeaders = true });

        Assert.True(result.Succeeded);
    }
}
