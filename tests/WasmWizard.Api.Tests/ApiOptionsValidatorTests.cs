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
}
