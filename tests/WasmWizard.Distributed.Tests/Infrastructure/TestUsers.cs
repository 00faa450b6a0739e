using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace WasmWizard.Distributed.Tests.Infrastructure;

/// <summary>Users made through the admin api, and what the security and outage tests do with them.</summary>
public static class TestUsers
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Creates a user of <paramref name="tier"/> and returns its id and a client sending its key.</summary>
    public static async Task<(Guid Id, HttpClient Client)> CreateAsync(IComposition composition, string tier)
    {
        ArgumentNullException.ThrowIfNull(composition);
        using var admin = Client(composition, composition.AdminKey);
        using var response = await admin.PostAsJsonAsync(
            "/api/admin/users", new { email = $"user-{Guid.NewGuid():N}@example.com", tier }, Token);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Token));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Token);
        return (Guid.Parse(body.GetProperty("id").GetString()!),
            Client(composition, body.GetProperty("api_key").GetString()!));
    }

    /// <summary>A client of the public api sending <paramref name="key"/>.</summary>
    public static HttpClient Client(IComposition composition, string key)
    {
        ArgumentNullException.ThrowIfNull(composition);
        var client = composition.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>Spends the user's burst until the api answers 429 (at most 20 requests).</summary>
    public static async Task SpendBurstAsync(HttpClient user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var status = HttpStatusCode.OK;
        for (var tries = 0; status != HttpStatusCode.TooManyRequests && tries < 20; tries++)
        {
            using var response = await user.GetAsync("/api/wasm/modules", Token);
            status = response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, status);
    }

    /// <summary>The status of one more listing: 429 while the user's budget stays spent.</summary>
    public static async Task<HttpStatusCode> ListStatusAsync(HttpClient user)
    {
        ArgumentNullException.ThrowIfNull(user);
        using var response = await user.GetAsync("/api/wasm/modules", Token);
        return response.StatusCode;
    }
}
