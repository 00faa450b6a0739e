using Microsoft.Extensions.Options;

namespace WasmWizard.Shared.Dapr;

/// <summary>Checks <see cref="ActorRateLimiterOptions"/>, naming the configuration key of each failure.</summary>
public sealed class ActorRateLimiterOptionsValidator : IValidateOptions<ActorRateLimiterOptions>
{
    /// <summary>The longest timeout accepted: past it, an outage would hold every request for longer.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromSeconds(30);

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ActorRateLimiterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Timeout <= TimeSpan.Zero || options.Timeout > MaxTimeout)
        {
            return ValidateOptionsResult.Fail(
                $"{ActorRateLimiterOptions.SectionName}:{nameof(ActorRateLimiterOptions.Timeout)} must be more than "
                + $"zero and at most {MaxTimeout}; it is {options.Timeout}.");
        }

        return ValidateOptionsResult.Success;
    }
}
