using System.Globalization;
using System.Text.RegularExpressions;

namespace WasmWizard.Deployment.Tests.Infrastructure;

/// <summary>
/// Sizes as the Dapr CLI takes them for <c>maxBodySize</c> and <c>readBufferSize</c>: "4Mi", "32Ki", "1Gi", or bytes.
/// </summary>
public static partial class ByteQuantity
{
    /// <summary>The size in bytes, or null when <paramref name="text"/> is not a number with Ki, Mi, Gi or no unit.</summary>
    public static long? TryParse(string? text)
    {
        var match = text is null ? Match.Empty : Pattern().Match(text);
        if (!match.Success)
        {
            return null;
        }

        var number = long.Parse(match.Groups["number"].Value, CultureInfo.InvariantCulture);
        return match.Groups["unit"].Value switch
        {
            "Ki" => number << 10,
            "Mi" => number << 20,
            "Gi" => number << 30,
            _ => number,
        };
    }

    [GeneratedRegex("^(?<number>[0-9]+)(?<unit>Ki|Mi|Gi)?$")]
    private static partial Regex Pattern();
}
