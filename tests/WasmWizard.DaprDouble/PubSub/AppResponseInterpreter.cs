using System.Net;
using System.Text.Json;

namespace WasmWizard.DaprDouble.PubSub;

/// <summary>Reads an app's answer to a delivery the way daprd's HTTP postman does.</summary>
internal static class AppResponseInterpreter
{
    public static DeliveryVerdict Interpret(HttpStatusCode status, string body, out string? appStatus)
    {
        appStatus = null;
        var code = (int)status;
        if (status == HttpStatusCode.NotFound)
        {
            return DeliveryVerdict.Drop;
        }

        if (code is < 200 or > 299)
        {
            return DeliveryVerdict.Retry;
        }

        appStatus = ReadStatus(body);
        // daprd compares the status exactly, so "success" in lower case is an unknown status and is retried.
        return appStatus switch
        {
            null or "" or "SUCCESS" => DeliveryVerdict.Success,
            "DROP" => DeliveryVerdict.Drop,
            _ => DeliveryVerdict.Retry,
        };
    }

    private static string? ReadStatus(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                // Go matches the field name without regard to case.
                if (string.Equals(property.Name, "status", StringComparison.OrdinalIgnoreCase))
                {
                    // A status that is not a string fails daprd's decoding, which it acknowledges.
                    return property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
                }
            }

            return null;
        }
        catch (JsonException)
        {
            // daprd acknowledges a 2xx whose body it cannot decode.
            return null;
        }
    }
}
