using System.Net;
using System.Text.Json;
using WasmWizard.DaprDouble.PubSub;

namespace WasmWizard.DaprDouble.Hosting;

/// <summary>Fetches what daprd asks an app for once its port answers: subscriptions and actor types.</summary>
internal static class AppConfigLoader
{
    public static async Task<IReadOnlyList<Subscription>> LoadSubscriptionsAsync(
        AppChannel app, string? appToken, CancellationToken cancellationToken)
    {
        var body = await GetAsync(app, "/dapr/subscribe", appToken, cancellationToken);
        return body is null ? [] : SubscriptionParser.Parse(body);
    }

    public static async Task<IReadOnlyList<string>> LoadActorTypesAsync(
        AppChannel app, string? appToken, CancellationToken cancellationToken)
    {
        var body = await GetAsync(app, "/dapr/config", appToken, cancellationToken);
        if (string.IsNullOrWhiteSpace(body))
        {
            return [];
        }

        using var document = JsonDocument.Parse(body);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (string.Equals(property.Name, "entities", StringComparison.OrdinalIgnoreCase)
                && property.Value.ValueKind == JsonValueKind.Array)
            {
                return [.. property.Value.EnumerateArray().Select(e => e.GetString()).OfType<string>()];
            }
        }

        return [];
    }

    /// <summary>The body of a 2xx answer, or null for 404 (the app has no such endpoint).</summary>
    private static async Task<string?> GetAsync(
        AppChannel app, string path, string? appToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        using var response = await app.SendAsync(request, appToken, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException(
                $"The app answered GET {path} with {(int)response.StatusCode}: {body}");
        }

        return body;
    }
}
