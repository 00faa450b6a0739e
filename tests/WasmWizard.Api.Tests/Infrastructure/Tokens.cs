using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace WasmWizard.Api.Tests.Infrastructure;

/// <summary>Makes JWTs for tests, good and bad.</summary>
internal static class Tokens
{
    public const string Issuer = "https://issuer.test/";
    public const string Audience = "wasmwizard";

    public static string Create(
        SecurityKey key,
        string subject,
        string? tier = "free",
        IEnumerable<string>? roles = null,
        DateTime? expires = null,
        string issuer = Issuer,
        string audience = Audience)
    {
        var claims = new List<Claim> { new("sub", subject) };
        if (tier is not null)
        {
            claims.Add(new Claim("tier", tier));
        }

        claims.AddRange((roles ?? []).Select(r => new Claim("roles", r)));
        var algorithm = key is SymmetricSecurityKey ? SecurityAlgorithms.HmacSha256 : SecurityAlgorithms.RsaSha256;
        var notBefore = (expires ?? DateTime.UtcNow.AddHours(1)).AddHours(-2);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity(claims),
            Issuer = issuer,
            Audience = audience,
            NotBefore = notBefore,
            IssuedAt = notBefore,
            Expires = expires ?? DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(key, algorithm),
        });
    }

    /// <summary>An unsigned token (<c>alg: none</c>) with otherwise valid claims.</summary>
    public static string Unsigned(string subject)
    {
        static string Part(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        return Part("""{"alg":"none","typ":"JWT"}""") + "."
            + Part($$"""{"sub":"{{subject}}","tier":"enterprise","roles":"admin","iss":"{{Issuer}}","aud":"{{Audience}}","exp":{{exp}}}""")
            + ".";
    }
}
