using Microsoft.Extensions.Options;

namespace WasmWizard.Executor.Sandbox;

/// <summary>Checks every sandbox limit at startup and names the configuration key of each problem.</summary>
public sealed class SandboxOptionsValidator : IValidateOptions<SandboxOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SandboxOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();

        void Positive(long value, string key)
        {
            if (value <= 0)
            {
                failures.Add($"{SandboxOptions.SectionName}:{key} must be greater than zero (was {value}).");
            }
        }

        Positive(options.MaxModuleBytes, nameof(options.MaxModuleBytes));
        Positive(options.MaxInputBytes, nameof(options.MaxInputBytes));
        Positive(options.MaxStdoutBytes, nameof(options.MaxStdoutBytes));
        Positive(options.MaxStderrBytes, nameof(options.MaxStderrBytes));
        Positive(options.MaxArgBytes, nameof(options.MaxArgBytes));
        Positive(options.MaxEnvBytes, nameof(options.MaxEnvBytes));
        Positive(options.MaxTimeoutMs, nameof(options.MaxTimeoutMs));
        Positive(options.MaxMemoryBytes, nameof(options.MaxMemoryBytes));
        if (options.PoolKeepResidentBytes < 0 || options.PoolKeepResidentBytes > options.MaxMemoryBytes)
        {
            failures.Add($"{SandboxOptions.SectionName}:{nameof(options.PoolKeepResidentBytes)} must be between 0 and "
                + $"{nameof(options.MaxMemoryBytes)}.");
        }

        Positive(options.MaxTableElements, nameof(options.MaxTableElements));
        Positive(options.MaxTables, nameof(options.MaxTables));
        Positive(options.MaxInstances, nameof(options.MaxInstances));
        Positive(options.MaxWasmStackBytes, nameof(options.MaxWasmStackBytes));
        Positive(options.MaxConcurrentRuns, nameof(options.MaxConcurrentRuns));
        Positive(options.BusyRetryAfterSeconds, nameof(options.BusyRetryAfterSeconds));
        Positive(options.CompileTimeoutMs, nameof(options.CompileTimeoutMs));
        Positive(options.MaxConcurrentCompiles, nameof(options.MaxConcurrentCompiles));
        Positive(options.CompileMemoryLimitMb, nameof(options.CompileMemoryLimitMb));
        Positive(options.EpochTickMs, nameof(options.EpochTickMs));
        Positive(options.MemoryCacheEntries, nameof(options.MemoryCacheEntries));
        Positive(options.MemoryCacheBytes, nameof(options.MemoryCacheBytes));

        if (options.MaxArgs < 0)
        {
            failures.Add($"{SandboxOptions.SectionName}:{nameof(options.MaxArgs)} must not be negative.");
        }

        if (options.MaxEnvVars < 0)
        {
            failures.Add($"{SandboxOptions.SectionName}:{nameof(options.MaxEnvVars)} must not be negative.");
        }

        // A 32-bit linear memory cannot exceed 4 GiB, so a larger cap would promise nothing.
        if (options.MaxMemoryBytes > 4L * 1024 * 1024 * 1024)
        {
            failures.Add($"{SandboxOptions.SectionName}:{nameof(options.MaxMemoryBytes)} must be at most 4 GiB.");
        }

        // Host calls (WASI, our shims, the CLR itself) run on the same native stack as the guest.
        if (options.GuestThreadStackBytes < options.MaxWasmStackBytes + (1024 * 1024))
        {
            failures.Add($"{SandboxOptions.SectionName}:{nameof(options.GuestThreadStackBytes)} must exceed "
                + $"{nameof(options.MaxWasmStackBytes)} by at least 1 MiB.");
        }

        if (options.EpochTickMs > 1000)
        {
            failures.Add($"{SandboxOptions.SectionName}:{nameof(options.EpochTickMs)} must be at most 1000.");
        }

        if (string.IsNullOrWhiteSpace(options.CompiledCacheDirectory))
        {
            failures.Add($"{SandboxOptions.SectionName}:{nameof(options.CompiledCacheDirectory)} is required.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
