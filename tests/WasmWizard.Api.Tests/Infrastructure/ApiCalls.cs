using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace WasmWizard.Api.Tests.Infrastructure;

/// <summary>Request builders and assertions shared by the HTTP tests.</summary>
internal static class ApiCalls
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static MultipartFormDataContent ModuleForm(
        byte[] wasm, string fileName = "module.wasm", params (string Name, string Value)[] fields)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(wasm);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/wasm");
        form.Add(file, "wasm", fileName);
        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }

        return form;
    }

    public static async Task<JsonElement> UploadAsync(HttpClient client, byte[] wasm, string name, bool isPublic = false)
    {
        using var form = ModuleForm(wasm, name, ("name", name), ("is_public", isPublic ? "true" : "false"));
        var response = await client.PostAsync("/api/wasm/upload", form, Token);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await Describe(response));
        return await BodyAsync(response);
    }

    public static Task<HttpResponseMessage> ExecuteAsync(HttpClient client, Guid moduleId, object body) =>
        client.PostAsJsonAsync($"/api/wasm/modules/{moduleId}/execute", body, WasmWizardApp.Json, Token);

    public static async Task<JsonElement> BodyAsync(HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>(WasmWizardApp.Json, Token);

    /// <summary>Asserts a problem-details answer with the status and code, carrying the error message old clients read.</summary>
    public static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {await Describe(response)}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await BodyAsync(response);
        Assert.Equal(code, body.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("error").GetString()));
        Assert.Equal((int)status, body.GetProperty("status").GetInt32());
        return body;
    }

    public static Task AssertUnauthorizedAsync(HttpClient client) =>
        AssertStatusOfListingAsync(client, HttpStatusCode.Unauthorized, "unauthorized");

    public static async Task AssertStatusOfListingAsync(HttpClient client, HttpStatusCode status, string code) =>
        await AssertProblemAsync(await client.GetAsync("/api/wasm/modules", Token), status, code);

    /// <summary>How many guest slots the executor reports free now.</summary>
    public static async Task<int> FreeSlotsAsync(HttpClient client)
    {
        var health = await client.GetStringAsync("/health", Token);
        var match = System.Text.RegularExpressions.Regex.Match(health, "\"(\\d+) guest slots free\"");
        Assert.True(match.Success, health);
        return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Waits (up to 10 s) until the executor reports <paramref name="slots"/> free guest slots.</summary>
    public static async Task WaitForFreeSlotsAsync(HttpClient client, int slots)
    {
        var deadline = System.Diagnostics.Stopwatch.GetTimestamp() + (System.Diagnostics.Stopwatch.Frequency * 10);
        while (!(await client.GetStringAsync("/health", Token)).Contains($"\"{slots} guest slots free\"", StringComparison.Ordinal))
        {
            Assert.True(System.Diagnostics.Stopwatch.GetTimestamp() < deadline, $"the executor never reached {slots} free slots");
            await Task.Delay(10, Token);
        }
    }

    public static async Task<string> Describe(HttpResponseMessage response) =>
        $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Token)}";
}
