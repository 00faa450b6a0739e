using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace WasmWizard.LoadGenerator;

/// <summary>
/// The few REST calls the modes make to set up a host: read the admin key, create a user, upload a module, and
/// build an execute request. Keys travel in headers only; no message here ever holds one.
/// </summary>
public static class WizardApi
{
    /// <summary>The admin key a fresh embedded host wrote into its data folder.</summary>
    public static async Task<string> ReadAdminKeyAsync(string dataDirectory) =>
        (await File.ReadAllTextAsync(Path.Combine(dataDirectory, "admin-api-key")).ConfigureAwait(false)).Trim();

    /// <summary>Creates a user of <see cref="HostSettings.Tier"/>; returns its id and its first API key.</summary>
    public static async Task<(string UserId, string Key)> CreateUserAsync(
        HttpClient http, string adminKey, string email)
    {
        ArgumentNullException.ThrowIfNull(http);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/admin/users")
        {
            Content = JsonContent.Create(new { email, tier = HostSettings.Tier }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminKey);
        var created = await SendForJsonAsync(http, request, "creating a user").ConfigureAwait(false);
        var userId = Guid.Parse(created.GetProperty("id").GetString()!).ToString();
        return (userId, created.GetProperty("api_key").GetString()!);
    }

    /// <summary>Uploads <paramref name="module"/> as the key's owner; returns the module id.</summary>
    public static async Task<string> UploadAsync(HttpClient http, string key, byte[] module, string name)
    {
        var (id, status, _) = await TryUploadAsync(http, key, module, name).ConfigureAwait(false);
        return id ?? throw new InvalidOperationException($"The host answered {status} when uploading {name}.");
    }

    /// <summary>
    /// Uploads <paramref name="module"/>; returns the module id, or null with the status and error code of the
    /// refusal, for a mode that reports a refused module instead of stopping.
    /// </summary>
    public static async Task<(string? Id, int Status, string? Code)> TryUploadAsync(
        HttpClient http, string key, byte[] module, string name)
    {
        ArgumentNullException.ThrowIfNull(http);
        using var request = UploadRequest(key, module, name);
        using var response = await http.SendAsync(request).ConfigureAwait(false);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>().ConfigureAwait(false);
        return response.IsSuccessStatusCode
            ? (json.GetProperty("id").GetString(), (int)response.StatusCode, null)
            : (null, (int)response.StatusCode, json.TryGetProperty("code", out var code) ? code.GetString() : null);
    }

    private static HttpRequestMessage UploadRequest(string key, byte[] module, string name)
    {
        var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(module), "wasm", name },
            { new StringContent(name), "name" },
        };
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/wasm/upload") { Content = form };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return request;
    }

    /// <summary><c>POST /api/wasm/modules/{id}/execute</c>; the body <c>{}</c> asks for the tier's defaults.</summary>
    public static HttpRequestMessage ExecuteRequest(string moduleId, string key, string body = "{}")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/wasm/modules/{moduleId}/execute")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return request;
    }

    // Only the status goes into the message: the answers hold keys.
    private static async Task<JsonElement> SendForJsonAsync(HttpClient http, HttpRequestMessage request, string what)
    {
        using var response = await http.SendAsync(request).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The host answered {(int)response.StatusCode} when {what}.");
        }

        return await response.Content.ReadFromJsonAsync<JsonElement>().ConfigureAwait(false);
    }
}
