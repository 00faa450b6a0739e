using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using WasmWizard.Api.Auth;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Dapr;

namespace WasmWizard.Api;

/// <summary>
/// Checks the API limits at startup and names the configuration key of each problem. A configured admin key is
/// checked too, and never shown: a failed start is logged, and the log must not hold the key.
/// </summary>
/// <param name="configuration">Where the app API token is read from; none means no token is configured.</param>
public sealed class ApiOptionsValidator(IConfiguration? configuration = null) : IValidateOptions<ApiOptions>
{
    // A random 43-character base64url string has about 31 distinct characters, and fewer than 16 almost never
    // happens; so few means a typed or patterned value, not a generated key.
    private const int MinDistinctKeyCharacters = 16;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var section = ApiOptions.SectionName;

        void Positive(long value, string key)
        {
            if (value <= 0)
            {
                failures.Add($"{section}:{key} must be greater than zero (was {value}).");
            }
        }

        Positive(options.MaxModuleBytes, nameof(options.MaxModuleBytes));
        Positive(options.MaxInputBytes, nameof(options.MaxInputBytes));
        Positive(options.MaxJsonBodyBytes, nameof(options.MaxJsonBodyBytes));
        Positive(options.MaxMultipartParts, nameof(options.MaxMultipartParts));
        Positive(options.MaxFieldBytes, nameof(options.MaxFieldBytes));
        Positive(options.DefaultPageSize, nameof(options.DefaultPageSize));
        Positive(options.MaxPageSize, nameof(options.MaxPageSize));
        Positive(options.DefaultTimeoutMs, nameof(options.DefaultTimeoutMs));
        Positive(options.DefaultMemoryLimitMb, nameof(options.DefaultMemoryLimitMb));
        Positive(options.AnonymousRequestsPerMinute, nameof(options.AnonymousRequestsPerMinute));
        Positive(options.AnonymousBurst, nameof(options.AnonymousBurst));
        Positive(options.KeyUsageFlushSeconds, nameof(options.KeyUsageFlushSeconds));
        Positive(options.MaxActiveKeysPerUser, nameof(options.MaxActiveKeysPerUser));
        Positive(options.MaxRequestHeaderBytes, nameof(options.MaxRequestHeaderBytes));
        Positive(options.MaxRequestHeaderCount, nameof(options.MaxRequestHeaderCount));
        Positive(options.MaxRequestLineBytes, nameof(options.MaxRequestLineBytes));
        Positive(options.ExecutionResultRetentionHours, nameof(options.ExecutionResultRetentionHours));
        foreach (var origin in options.CorsAllowedOrigins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.AbsolutePath != "/" || origin.EndsWith('/'))
            {
                failures.Add($"{section}:CorsAllowedOrigins: '{origin}' is not an origin (scheme://host[:port]).");
            }
        }

        if (options.DefaultPageSize > options.MaxPageSize)
        {
            failures.Add($"{section}:{nameof(options.DefaultPageSize)} must not exceed {nameof(options.MaxPageSize)}.");
        }

        Positive(options.ForwardedHopsTrusted, nameof(options.ForwardedHopsTrusted));
        if (options.TrustForwardedHeaders && string.IsNullOrEmpty(configuration?[SidecarChannel.TokenSetting]))
        {
            failures.Add($"{section}:{nameof(options.TrustForwardedHeaders)} needs {SidecarChannel.TokenSetting} (Dapr's "
                + "app API token): only a request that carries it is known to come through the api's sidecar, and no "
                + "other may choose its client address.");
        }

        if (options.AdminApiKey is { } adminKey && AdminKeyProblem(adminKey.Trim()) is { } problem)
        {
            // The value itself never goes into the message.
            failures.Add($"{section}:{nameof(options.AdminApiKey)} {problem} Generate one with "
                + "echo \"ww_$(openssl rand -base64 32 | tr '+/' '-_' | tr -d '=')\" or the api's --print-new-admin-key.");
        }

        if (string.IsNullOrWhiteSpace(options.AdminKeyFile))
        {
            failures.Add($"{section}:{nameof(options.AdminKeyFile)} is required.");
        }

        foreach (var tier in Tiers.All)
        {
            if (!options.Tiers.TryGetValue(tier, out var limits))
            {
                failures.Add($"{section}:Tiers:{tier} is missing.");
                continue;
            }

            Positive(limits.MaxTimeoutMs, $"Tiers:{tier}:{nameof(limits.MaxTimeoutMs)}");
            Positive(limits.MaxMemoryLimitMb, $"Tiers:{tier}:{nameof(limits.MaxMemoryLimitMb)}");
            if (limits.MaxFuel == 0)
            {
                failures.Add($"{section}:Tiers:{tier}:{nameof(limits.MaxFuel)} must be positive or absent.");
            }

            Positive(limits.MaxConcurrentExecutions, $"Tiers:{tier}:{nameof(limits.MaxConcurrentExecutions)}");
            Positive(limits.MaxConcurrentUploads, $"Tiers:{tier}:{nameof(limits.MaxConcurrentUploads)}");
            if (limits.MaxModules <= 0 || limits.MaxStoredMb <= 0 || limits.MaxPendingExecutions <= 0)
            {
                failures.Add(
                    $"{section}:Tiers:{tier}: MaxModules, MaxStoredMb and MaxPendingExecutions must be positive or absent.");
            }
            int?[] rates = [limits.RequestsPerMinute, limits.RequestsPerHour, limits.Burst];
            if (rates.Any(r => r is not null) && (rates.Any(r => r is null) || rates.Any(r => r <= 0)))
            {
                failures.Add($"{section}:Tiers:{tier}: RequestsPerMinute, RequestsPerHour and Burst must all be positive, "
                    + "or all be absent for an unlimited tier.");
            }
        }

        foreach (var tier in options.Tiers.Keys.Where(t => !Tiers.IsKnown(t)))
        {
            failures.Add($"{section}:Tiers:{tier} is not a known tier ({string.Join(", ", Tiers.All)}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string? AdminKeyProblem(string key)
    {
        if (key.Length == 0)
        {
            return "is empty; leave it out to have a key file written instead.";
        }

        if (!ApiKeys.HasKeyShape(key))
        {
            return "is not a Wasm Wizard API key: it must be 'ww_' followed by 43 base64url characters (A-Z, a-z, 0-9, "
                + "'-' and '_').";
        }

        return key.Distinct().Count() < MinDistinctKeyCharacters
            ? "does not look random (too few different characters); use a generated key."
            : null;
    }
}
