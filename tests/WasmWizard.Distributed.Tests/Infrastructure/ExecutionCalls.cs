using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Distributed.Tests.Infrastructure;

/// <summary>What the execution tests do through the public REST api: upload, submit, read executions back.</summary>
public static class ExecutionCalls
{
    /// <summary>examples/echo.wasm: prints "Hello from WebAssembly!\n" followed by its stdin.</summary>
    public static byte[] EchoModule { get; } =
        File.ReadAllBytes(Path.Combine(RepositoryLocation.Root, "examples", "echo.wasm"));

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>What echo.wasm prints for <paramref name="stdin"/>.</summary>
    public static string EchoOf(string stdin) => "Hello from WebAssembly!\n" + stdin;

    /// <summary>The JSON body of <paramref name="response"/>.</summary>
    public static async Task<JsonElement> BodyAsync(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Token);
    }

    /// <summary>
    /// Uploads echo.wasm (or <paramref name="wasm"/>) as <paramref name="user"/>, public when
    /// <paramref name="isPublic"/>; returns the module id.
    /// </summary>
    public static async Task<Guid> UploadAsync(HttpClient user, byte[]? wasm = null, bool isPublic = false)
    {
        ArgumentNullException.ThrowIfNull(user);
        using var form = new MultipartFormDataContent
        {
            {
                new ByteArrayContent(wasm ?? EchoModule)
                {
                    Headers = { ContentType = new MediaTypeHeaderValue("application/wasm") },
                },
                "wasm",
                "echo.wasm"
            },
            { new StringContent(isPublic ? "true" : "false"), "is_public" },
        };
        using var response = await user.PostAsync("/api/wasm/upload", form, Token);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Token));
        return Guid.Parse((await BodyAsync(response)).GetProperty("id").GetString()!);
    }

    /// <summary>
    /// <c>POST /api/wasm/modules/{id}/executions</c> with <paramref name="input"/> as stdin, and with
    /// <paramref name="idempotencyKey"/> when given.
    /// </summary>
    public static async Task<HttpResponseMessage> SubmitAsync(
        HttpClient user, Guid module, string input, string? idempotencyKey = null)
    {
        ArgumentNullException.ThrowIfNull(user);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/wasm/modules/{module}/executions")
        {
            Content = JsonContent.Create(new { input }),
        };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await user.SendAsync(request, Token);
    }

    /// <summary><c>GET /api/executions/{id}</c>: its status code and body.</summary>
    public static async Task<(HttpStatusCode Status, JsonElement Body)> GetExecutionAsync(HttpClient user, Guid id)
    {
        ArgumentNullException.ThrowIfNull(user);
        using var response = await user.GetAsync($"/api/executions/{id}", Token);
        return (response.StatusCode, await BodyAsync(response));
    }

    /// <summary>Polls <c>GET /api/executions/{id}</c> as a client would until it is completed; returns it.</summary>
    public static async Task<JsonElement> PollCompletedAsync(HttpClient user, Guid id)
    {
        JsonElement completed = default;
        await Eventually.HoldsAsync(
            async () =>
            {
                var (status, body) = await GetExecutionAsync(user, id);
                Assert.Equal(HttpStatusCode.OK, status);
                completed = body;
                return body.GetProperty("status").GetString() == "completed";
            },
            TimeSpan.FromSeconds(10),
            TimeSpan.FromMilliseconds(20));
        return completed;
    }

    /// <summary>The ids of the caller's executions (<c>GET /api/executions</c>, every page).</summary>
    public static async Task<IReadOnlyList<JsonElement>> ListExecutionsAsync(HttpClient user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var all = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var path = "/api/executions?limit=100" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
            using var response = await user.GetAsync(path, Token);
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Token));
            var page = await BodyAsync(response);
            all.AddRange(page.GetProperty("executions").EnumerateArray().Select(e => e.Clone()));
            cursor = page.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null);

        return all;
    }
}
