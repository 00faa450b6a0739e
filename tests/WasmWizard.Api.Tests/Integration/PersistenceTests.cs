using System.Net;
using WasmWizard.Api.Tests.Infrastructure;

namespace WasmWizard.Api.Tests.Integration;

public sealed class PersistenceTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Restart_UsersKeysAndModulesAreStillThere()
    {
        string dataDirectory;
        string adminKey;
        string userKey;
        Guid moduleId;
        Guid revokedKeyId;
        string revokedKey;
        using (var first = new WasmWizardApp())
        {
            dataDirectory = first.DataDirectory;
            adminKey = first.AdminKey;
            using var user = await first.CreateUserAsync("basic");
            userKey = user.ApiKey;
            var module = await ApiCalls.UploadAsync(user.Client, TestModules.Echo, "echo.wasm");
            moduleId = Guid.Parse(module.GetProperty("id").GetString()!);
            var extra = await ApiCalls.BodyAsync(await user.Client.PostAsync("/api/auth/keys", null, Token));
            revokedKeyId = Guid.Parse(extra.GetProperty("id").GetString()!);
            revokedKey = extra.GetProperty("api_key").GetString()!;
            await user.Client.DeleteAsync($"/api/auth/keys/{revokedKeyId}", Token);
        }

        using var second = new WasmWizardApp(dataDirectory: dataDirectory);
        using var client = second.ClientWithKey(userKey);
        using var revokedClient = second.ClientWithKey(revokedKey);

        var modules = await ApiCalls.BodyAsync(await client.GetAsync("/api/wasm/modules", Token));
        var run = await ApiCalls.BodyAsync(await ApiCalls.ExecuteAsync(client, moduleId, new { input = "still here" }));
        var keys = await ApiCalls.BodyAsync(await client.GetAsync("/api/auth/keys", Token));

        Assert.Equal(adminKey, second.AdminKey);
        Assert.Equal(moduleId.ToString(), modules.GetProperty("modules")[0].GetProperty("id").GetString());
        Assert.Equal("still here", run.GetProperty("output").GetString());
        Assert.Equal(2, keys.GetArrayLength());
        await ApiCalls.AssertUnauthorizedAsync(revokedClient);
        using var admin = second.AdminClient();
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/admin/users", Token)).StatusCode);
    }

    [Fact]
    public async Task Restart_AdminKeyFileDeleted_NewAdminKeyIssued()
    {
        string dataDirectory;
        string oldKey;
        using (var first = new WasmWizardApp())
        {
            dataDirectory = first.DataDirectory;
            oldKey = first.AdminKey;
        }

        File.Delete(Path.Combine(dataDirectory, "admin-api-key"));
        using var second = new WasmWizardApp(dataDirectory: dataDirectory);
        var newKey = second.AdminKey;
        using var admin = second.AdminClient();

        using var oldAdmin = second.ClientWithKey(oldKey);

        Assert.NotEqual(oldKey, newKey);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/admin/users", Token)).StatusCode);
        await ApiCalls.AssertProblemAsync(await oldAdmin.GetAsync("/api/admin/users", Token), HttpStatusCode.Unauthorized, "unauthorized");
        var users = await ApiCalls.BodyAsync(await admin.GetAsync("/api/admin/users", Token));
        Assert.Equal(1, users.GetProperty("total").GetInt64());
    }
}
