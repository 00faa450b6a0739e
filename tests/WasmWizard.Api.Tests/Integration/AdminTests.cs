using System.Net;
using System.Net.Http.Json;
using WasmWizard.Api.Tests.Infrastructure;

namespace WasmWizard.Api.Tests.Integration;

public sealed class AdminTests : IClassFixture<AuthTests.App>
{
    private readonly WasmWizardApp _app;

    public AdminTests(AuthTests.App app) => _app = app.Instance;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CreateUser_EmailAndTier_CreatedWithFirstKeyThatWorks()
    {
        using var admin = _app.AdminClient();
        var email = $"Carol-{Guid.NewGuid():N}@Example.com";

        var response = await admin.PostAsJsonAsync("/api/admin/users", new { email, tier = "basic" }, Token);
        var body = await ApiCalls.BodyAsync(response);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(email.ToLowerInvariant(), body.GetProperty("email").GetString());
        Assert.Equal("basic", body.GetProperty("tier").GetString());
        Assert.True(Guid.TryParse(body.GetProperty("id").GetString(), out _));
        Assert.True(Guid.TryParse(body.GetProperty("api_key_id").GetString(), out _));
        using var client = _app.ClientWithKey(body.GetProperty("api_key").GetString()!);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/wasm/modules", Token)).StatusCode);
    }

    [Fact]
    public async Task CreateUser_SameEmailTwice_Conflict()
    {
        using var admin = _app.AdminClient();
        var email = $"dup-{Guid.NewGuid():N}@example.com";
        await admin.PostAsJsonAsync("/api/admin/users", new { email, tier = "free" }, Token);

        var again = await admin.PostAsJsonAsync("/api/admin/users", new { email = email.ToUpperInvariant(), tier = "pro" }, Token);

        await ApiCalls.AssertProblemAsync(again, HttpStatusCode.Conflict, "email_taken");
    }

    [Theory]
    [InlineData("""{"email":"not-an-email","tier":"free"}""", "invalid_field")]
    [InlineData("""{"email":"a@example.com","tier":"platinum"}""", "invalid_field")]
    [InlineData("""{"tier":"free"}""", "invalid_field")]
    [InlineData("""{"email":42,"tier":"free"}""", "invalid_field")]
    [InlineData("""{"email":"a@example.com",""", "invalid_json")]
    [InlineData("""[1,2]""", "invalid_json")]
    public async Task CreateUser_BadBody_BadRequestNamingTheProblem(string json, string code)
    {
        using var admin = _app.AdminClient();

        var response = await admin.PostAsync(
            "/api/admin/users", new StringContent(json, System.Text.Encoding.UTF8, "application/json"), Token);

        await ApiCalls.AssertProblemAsync(response, HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task ListUsers_Paged_ReportsTotals()
    {
        using var admin = _app.AdminClient();
        await _app.CreateUserAsync();

        var body = await ApiCalls.BodyAsync(await admin.GetAsync("/api/admin/users?page=1&limit=1", Token));

        Assert.Equal(1, body.GetProperty("users").GetArrayLength());
        Assert.True(body.GetProperty("total").GetInt64() >= 2);
        Assert.True(body.GetProperty("has_next").GetBoolean());
    }
}
