using Microsoft.Extensions.Options;
using WasmWizard.Shared.Contracts;

namespace WasmWizard.Api.Auth;

/// <summary>Checks the JWT settings at startup.</summary>
public sealed class JwtOptionsValidator : IValidateOptions<JwtOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, JwtOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var section = JwtOptions.SectionName;
        var configured = !string.IsNullOrWhiteSpace(options.SigningKey) || !string.IsNullOrWhiteSpace(options.Authority);
        if (configured && string.IsNullOrWhiteSpace(options.Issuer))
        {
            failures.Add($"{section}:Issuer is required when JWT sign-in is configured.");
        }

        if (configured && string.IsNullOrWhiteSpace(options.Audience))
        {
            failures.Add($"{section}:Audience is required when JWT sign-in is configured.");
        }

        if (!string.IsNullOrWhiteSpace(options.SigningKey))
        {
            var key = TryDecode(options.SigningKey);
            if (key is null || key.Length < 32)
            {
                failures.Add($"{section}:SigningKey must be base64 of at least 32 bytes.");
            }
        }

        if (!string.IsNullOrWhiteSpace(options.Authority) && !Uri.TryCreate(options.Authority, UriKind.Absolute, out _))
        {
            failures.Add($"{section}:Authority must be an absolute URL.");
        }

        if (!Tiers.IsKnown(options.DefaultTier))
        {
            failures.Add($"{section}:DefaultTier must be one of {string.Join(", ", Tiers.All)}.");
        }

        if (options.ClockSkewSeconds is < 0 or > 600)
        {
            failures.Add($"{section}:ClockSkewSeconds must be between 0 and 600.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The key bytes, or null when the text is not base64.</summary>
    public static byte[]? TryDecode(string text)
    {
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
