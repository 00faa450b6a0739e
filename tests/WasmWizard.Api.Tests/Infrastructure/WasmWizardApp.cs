using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace WasmWizard.Api.Tests.Infrastructure;

/// <summary>
/// The embedded host under test: real SQLite in a private data folder, the real sandbox, real HTTP through the
/// test server. Settings can be overridden per test class; a second instance on the same folder is a restart.
/// </summary>
public sealed class WasmWizardApp : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;

    public WasmWizardApp(
        IDictionary<string, string?>? settings = null,
        string? dataDirectory = null,
        Action<IServiceCollection>? services = null,
        bool kestrel = false)
    {
        _services = services;
        if (kestrel)
        {
            // A real server on a loopback port: header and request-line limits are Kestrel's, not the test server's.
            UseKestrel(0);
        }

        // The api never redirects, and the redirect-following handler buffers every request body before sending
        // it, which would hide what the server does while a body is still arriving.
        ClientOptions.AllowAutoRedirect = false;
        DataDirectory = dataDirectory ?? Directory.CreateTempSubdirectory("ww-api-").FullName;

        // Request rates high enough not to get in the way of tests about something else; rate-limit tests pass
        // the published defaults (or their own numbers) in settings, which win.
        _settings = new Dictionary<string, string?>
        {
            ["Api:AnonymousRequestsPerMinute"] = "100000",
            ["Api:AnonymousBurst"] = "100000",
        };
        foreach (var tier in new[] { "free", "basic", "pro" })
        {
            _settings[$"Api:Tiers:{tier}:RequestsPerMinute"] = "100000";
            _settings[$"Api:Tiers:{tier}:RequestsPerHour"] = "1000000";
            _settings[$"Api:Tiers:{tier}:Burst"] = "100000";
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }

        _settings["Storage:DataDirectory"] = DataDirectory;
    }

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public string DataDirectory { get; }

    /// <summary>The admin key the host wrote on its first start (starting the host if needed).</summary>
    public string AdminKey
    {
        get
        {
            _ = Services;
            return File.ReadAllText(Path.Combine(DataDirectory, "admin-api-key")).Trim();
        }
    }

    /// <summary>A client that sends the admin key.</summary>
    public HttpClient AdminClient() => ClientWithKey(AdminKey);

    /// <summary>A client that sends <paramref name="key"/> as its bearer credential.</summary>
    public HttpClient ClientWithKey(string key)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>Creates a user through the admin endpoint and returns a client using their first key.</summary>
    public async Task<TestUser> CreateUserAsync(string tier = "free", string? email = null)
    {
        using var admin = AdminClient();
        var response = await admin.PostAsJsonAsync(
            "/api/admin/users",
            new { email = email ?? $"user-{Guid.NewGuid():N}@example.com", tier },
            TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        var created = await response.Content.ReadFromJsonAsync<JsonElement>(Json, TestContext.Current.CancellationToken);
        var key = created.GetProperty("api_key").GetString()!;
        return new TestUser(
            Guid.Parse(created.GetProperty("id").GetString()!),
            key,
            Guid.Parse(created.GetProperty("api_key_id").GetString()!),
            ClientWithKey(key));
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseSetting("Serilog:MinimumLevel:Default", "Warning");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        if (_services is not null)
        {
            builder.ConfigureTestServices(_services);
        }
    }
}
