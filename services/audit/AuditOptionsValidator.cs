using Microsoft.Extensions.Options;

namespace WasmWizard.Audit;

/// <summary>Checks <see cref="AuditOptions"/>, naming the configuration key of every failure.</summary>
public sealed class AuditOptionsValidator : IValidateOptions<AuditOptions>
{
    /// <summary>The largest retention batch: past it, one pass would hold the trail's locks too long.</summary>
    public const int MaxRetentionBatchSize = 100_000;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, AuditOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ConnectionString) && string.IsNullOrWhiteSpace(options.DatabasePath))
        {
            failures.Add($"{AuditOptions.SectionName}:{nameof(AuditOptions.DatabasePath)} must not be empty.");
        }

        if (options.RetentionDays is < 1)
        {
            failures.Add($"{AuditOptions.SectionName}:{nameof(AuditOptions.RetentionDays)} must be at least 1 when set "
                + $"(leave it out to keep every event); it is {options.RetentionDays}.");
        }

        if (options.RetentionBatchSize is < 1 or > MaxRetentionBatchSize)
        {
            failures.Add($"{AuditOptions.SectionName}:{nameof(AuditOptions.RetentionBatchSize)} must be 1 to "
                + $"{MaxRetentionBatchSize}; it is {options.RetentionBatchSize}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
