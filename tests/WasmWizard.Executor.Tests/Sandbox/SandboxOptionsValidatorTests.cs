using WasmWizard.Executor.Sandbox;

namespace WasmWizard.Executor.Tests.Sandbox;

public sealed class SandboxOptionsValidatorTests
{
    private readonly SandboxOptionsValidator _validator = new();

    [Fact]
    public void Validate_Defaults_Succeed()
    {
        Assert.True(_validator.Validate(null, new SandboxOptions()).Succeeded);
    }

    [Fact]
    public void Validate_EveryProblem_ReportedWithItsKey()
    {
        var options = new SandboxOptions
        {
            MaxModuleBytes = 0,
            MaxTimeoutMs = -1,
            MaxConcurrentRuns = 0,
            MaxMemoryBytes = 5L * 1024 * 1024 * 1024,
            MaxWasmStackBytes = 8 * 1024 * 1024,
            GuestThreadStackBytes = 8 * 1024 * 1024,
            EpochTickMs = 5000,
            CompiledCacheDirectory = " ",
            MaxArgs = -1,
            PoolKeepResidentBytes = -1,
        };

        var result = _validator.Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        foreach (var key in new[]
        {
            "Sandbox:MaxModuleBytes", "Sandbox:MaxTimeoutMs", "Sandbox:MaxConcurrentRuns", "Sandbox:MaxMemoryBytes",
            "Sandbox:GuestThreadStackBytes", "Sandbox:EpochTickMs", "Sandbox:CompiledCacheDirectory", "Sandbox:MaxArgs",
            "Sandbox:PoolKeepResidentBytes",
        })
        {
            Assert.Contains(failures, f => f.Contains(key, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Host_InvalidOptions_FailsAtStartup()
    {
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() =>
        {
            using var harness = new SandboxHarness(new Dictionary<string, string?> { ["Sandbox:MaxConcurrentRuns"] = "0" });
            _ = harness.Sandbox;
        });

        Assert.Contains("Sandbox:MaxConcurrentRuns", error.Message, StringComparison.Ordinal);
    }
}
