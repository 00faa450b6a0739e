using System.Security.Cryptography;

namespace WasmWizard.Distributed.Tests.Infrastructure;

/// <summary>
/// The tokens an operator sets for a secured deployment: one <c>DAPR_API_TOKEN</c> shared by every sidecar (each
/// app calls only its own sidecar with it) and an <c>APP_API_TOKEN</c> of each app's own, so that one app's token
/// opens no other app.
/// </summary>
public sealed class SidecarTokens
{
    private readonly Dictionary<string, string> _appTokens = new(StringComparer.Ordinal);

    /// <summary>The API token of every sidecar.</summary>
    public string ApiToken { get; } = NewToken();

    /// <summary>The app token of <paramref name="appId"/>, made on first use.</summary>
    public string AppToken(string appId)
    {
        lock (_appTokens)
        {
            if (!_appTokens.TryGetValue(appId, out var token))
            {
                token = NewToken();
                _appTokens[appId] = token;
            }

            return token;
        }
    }

    // Random, as the Dapr docs advise, so no test can pass by guessing a fixed value.
    private static string NewToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
}
