using System.Net;
using System.Net.Http.Json;
using WasmWizard.Api.Tests.Infrastructure;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Api.Tests.Integration;

/// <summary>The README's curl walkthrough, step by step, with the example module it uses.</summary>
public sealed class ReadmeWalkthroughTests
{
    private static readonly string ExampleWasm = Path.Combine(RepositoryLocation.Root, "examples", "echo.wasm");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ExampleModule_MatchesItsSource()
    {
        var source = await File.ReadAllTextAsync(Path.Combine(RepositoryLocation.Root, "examples", "echo.wat"), Token);

        Assert.Equal(Wat.Compile(source), await File.ReadAllBytesAsync(ExampleWasm, Token));
    }

    [Fact]
    public async Task Walkthrough_AsDocumented_Works()
    {
        using var app = new WasmWizardApp();
        using var admin = app.AdminClient();

        // Step 2: the admin creates a user with a tier and gets their first key; the user manages keys.
        var user = await ApiCalls.BodyAsync(
            await admin.PostAsJsonAsync("/api/admin/users", new { email = "alice@example.com", tier = "pro" }, Token));
        using var alice = app.ClientWithKey(user.GetProperty("api_key").GetString()!);
        var key = await ApiCalls.BodyAsync(await alice.PostAsJsonAsync("/api/auth/keys", new { name = "laptop" }, Token));
        var keys = await ApiCalls.BodyAsync(await alice.GetAsync("/api/auth/keys", Token));
        var revoke = await alice.DeleteAsync($"/api/auth/keys/{key.GetProperty("id").GetString()}", Token);
        Assert.Equal(2, keys.GetArrayLength());
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);

        // Step 3: upload, list, run by id with stdin, args and env, and run ad hoc.
        var module = await ApiCalls.UploadAsync(alice, await File.ReadAllBytesAsync(ExampleWasm, Token), "echo.wasm");
        var list = await ApiCalls.BodyAsync(await alice.GetAsync("/api/wasm/modules", Token));
        var run = await ApiCalls.BodyAsync(await ApiCalls.ExecuteAsync(
            alice,
            Guid.Parse(module.GetProperty("id").GetString()!),
            new { input = "ping", args = new[] { "--loud" }, env = new { GREETING = "hi" } }));
        using var form = ApiCalls.ModuleForm(await File.ReadAllBytesAsync(ExampleWasm, Token), "echo.wasm");
        form.Add(new StringContent("from a form"), "input");
        var adHoc = await ApiCalls.BodyAsync(await alice.PostAsync("/api/wasm/execute", form, Token));

        Assert.Equal(1, list.GetProperty("total").GetInt64());
        Assert.Equal("Hello from WebAssembly!\nping", run.GetProperty("output").GetString());
        Assert.Equal("exited", run.GetProperty("outcome").GetString());
        Assert.Equal("Hello from WebAssembly!\nfrom a form", adHoc.GetProperty("output").GetString());
    }
}
