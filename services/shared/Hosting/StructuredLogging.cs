using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Serilog;
using Serilog.Formatting;
using Serilog.Formatting.Display;

namespace WasmWizard.Shared.Hosting;

/// <summary>
/// How every host writes its log to stdout: one JSON object per line (the default, for collectors) or a readable line
/// (for a laptop), chosen by <c>Logs:Format</c> (environment <c>Logs__Format</c>), and which properties every line
/// carries besides the trace and span ids.
/// </summary>
/// <remarks>Configuration shape: <c>{ "Logs": { "Format": "json" } }</c>; the other value is <c>text</c>.</remarks>
public static class StructuredLogging
{
    /// <summary>The configuration key that chooses the format.</summary>
    public const string FormatKey = "Logs:Format";

    /// <summary>One JSON object per line (CLEF, see <see cref="JsonLogFormatter"/>).</summary>
    public const string JsonFormat = "json";

    /// <summary>A human-readable line per event.</summary>
    public const string TextFormat = "text";

    /// <summary>The property naming the service that wrote a line (api, executor, audit, standalone).</summary>
    public const string ServiceProperty = "Service";

    /// <summary>The property holding the request id the api answers in <c>X-Request-Id</c>.</summary>
    public const string RequestIdProperty = "RequestId";

    /// <summary>The property holding the id of the user (tenant) a request or run is for.</summary>
    public const string TenantIdProperty = "TenantId";

    // The environment variable form of FormatKey, read before any configuration exists.
    private const string FormatVariable = "Logs__Format";

    private const string TextTemplate =
        "[{Timestamp:HH:mm:ss} {Level:u3}] {Service} {Message:lj} {RequestId}{NewLine}{Exception}";

    /// <summary>
    /// The formatter <paramref name="format"/> names (null or empty: JSON). Throws, naming the key, for any other
    /// value, so a typo fails the start rather than quietly changing what collectors receive.
    /// </summary>
    public static ITextFormatter CreateFormatter(string? format)
    {
        if (string.IsNullOrWhiteSpace(format) || string.Equals(format, JsonFormat, StringComparison.OrdinalIgnoreCase))
        {
            return new JsonLogFormatter();
        }

        if (string.Equals(format, TextFormat, StringComparison.OrdinalIgnoreCase))
        {
            return new MessageTemplateTextFormatter(TextTemplate, System.Globalization.CultureInfo.InvariantCulture);
        }

        throw new InvalidOperationException(
            $"{FormatKey} is '{format}'; it must be '{JsonFormat}' (the default) or '{TextFormat}'.");
    }

    /// <summary>The formatter the configuration chooses.</summary>
    public static ITextFormatter CreateFormatter(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return CreateFormatter(configuration[FormatKey]);
    }

    /// <summary>
    /// The logger that reports a failed start before the host's own logger exists, in the format the environment asks
    /// for (JSON when it names none, or names one that does not exist: the host's start reports that mistake).
    /// </summary>
    public static Serilog.ILogger CreateBootstrapLogger(string service)
    {
        ITextFormatter formatter;
        try
        {
            formatter = CreateFormatter(Environment.GetEnvironmentVariable(FormatVariable));
        }
        catch (InvalidOperationException)
        {
            formatter = new JsonLogFormatter();
        }

        return new LoggerConfiguration()
            .Enrich.WithProperty(ServiceProperty, service)
            .WriteTo.Console(formatter)
            .CreateLogger();
    }

    /// <summary>
    /// The short name of the service <paramref name="environment"/> runs: the entry assembly's name without the
    /// product prefix, in lower case (<c>WasmWizard.Executor</c> is <c>executor</c>).
    /// </summary>
    public static string ServiceName(IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        const string Prefix = "WasmWizard.";
        var name = environment.ApplicationName;
        return (name.StartsWith(Prefix, StringComparison.Ordinal) ? name[Prefix.Length..] : name).ToLowerInvariant();
    }
}
