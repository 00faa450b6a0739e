using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using WasmWizard.Api.Tests.Infrastructure;

namespace WasmWizard.Api.Tests.Integration;

/// <summary>
/// The production path: signing keys from an OpenID Connect authority's discovery document and JWKS, served here
/// by a small issuer on a loopback port.
/// </summary>
public sealed class JwtAuthorityTests : IAsyncLifetime
{
    private readonly RsaSecurityKey _signingKey = new(RSA.Create(2048)) { KeyId = "test-key-1" };
    private WebApplication? _issuer;
    private string _authority = string.Empty;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _issuer = builder.Build();
        var publicKey = new RsaSecurityKey(_signingKey.Rsa.ExportParameters(includePrivateParameters: false)) { KeyId = _signingKey.KeyId };
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(publicKey);
        _issuer.MapGet("/.well-known/openid-configuration", (HttpContext http) =>
        {
            var self = $"{http.Request.Scheme}://{http.Request.Host}";
            return Results.Json(new Dictionary<string, object>
            {
                ["issuer"] = self + "/",
                ["jwks_uri"] = self + "/jwks",
                ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            });
        });
        _issuer.MapGet("/jwks", () => Results.Text(
            JsonSerializer.Serialize(new
            {
                keys = new[] { new { kty = jwk.Kty, kid = jwk.Kid, use = "sig", alg = "RS256", n = jwk.N, e = jwk.E } },
            }),
            "application/json"));
        await _issuer.StartAsync(Token);
        _authority = _issuer.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/";
    }

    public async ValueTask DisposeAsync()
    {
        if (_issuer is not null)
        {
            await _issuer.DisposeAsync();
        }
    }

    [Fact]
    public async Task TokenSignedByAuthoritysKey_Accepted_OtherKeysRefused()
    {
        using var app = new WasmWizardApp(new Dictionary<string, string?>
        {
            ["Auth:Jwt:Issuer"] = _authority,
            ["Auth:Jwt:Audience"] = Tokens.Audience,
            ["Auth:Jwt:Authority"] = _authority,
            ["Auth:Jwt:RequireHttpsMetadata"] = "false",
        });

        using var good = Client(app, Tokens.Create(_signingKey, "oidc-tenant", issuer: _authority));
        var impostor = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "test-key-1" };
        using var forged = Client(app, Tokens.Create(impostor, "oidc-tenant", issuer: _authority));

        Assert.Equal(HttpStatusCode.OK, (await good.GetAsync("/api/wasm/modules", Token)).StatusCode);
        await ApiCalls.AssertProblemAsync(await forged.GetAsync("/api/wasm/modules", Token), HttpStatusCode.Unauthorized, "unauthorized");
    }

    private static HttpClient Client(WasmWizardApp app, string token)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
