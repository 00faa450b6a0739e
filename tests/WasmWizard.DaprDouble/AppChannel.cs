namespace WasmWizard.DaprDouble;

/// <summary>
/// How a sidecar double reaches its app: what daprd's app channel (<c>--app-port</c>) is to a real sidecar. Works
/// with an app on a real port and with an in-memory test server (a <c>WebApplicationFactory</c> or TestServer).
/// </summary>
public sealed class AppChannel : IDisposable
{
    private const string TokenHeader = "dapr-api-token";

    private static readonly Uri TestServerAddress = new("http://localhost/");

    private readonly Func<HttpClient> _createClient;
    private readonly bool _disposeClients;
    private readonly HttpMessageHandler? _ownedHandler;

    private AppChannel(Func<HttpClient> createClient, bool disposeClients, HttpMessageHandler? ownedHandler)
    {
        _createClient = createClient;
        _disposeClients = disposeClients;
        _ownedHandler = ownedHandler;
    }

    /// <summary>
    /// An app served by <paramref name="handler"/>, such as <c>factory.Server.CreateHandler()</c>. The handler is
    /// not disposed with the channel.
    /// </summary>
    public static AppChannel FromHandler(HttpMessageHandler handler, Uri? baseAddress = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var address = baseAddress ?? TestServerAddress;
        return new AppChannel(
            () => new HttpClient(handler, disposeHandler: false) { BaseAddress = address },
            disposeClients: true,
            ownedHandler: null);
    }

    /// <summary>
    /// An app reached through clients from <paramref name="createClient"/>, such as
    /// <c>factory.CreateClient</c>. Each client needs a <see cref="HttpClient.BaseAddress"/>; they are not
    /// disposed, so the factory may return a shared one.
    /// </summary>
    public static AppChannel FromClientFactory(Func<HttpClient> createClient)
    {
        ArgumentNullException.ThrowIfNull(createClient);
        return new AppChannel(createClient, disposeClients: false, ownedHandler: null);
    }

    /// <summary>An app listening at <paramref name="address"/>, such as <c>http://127.0.0.1:5100</c>.</summary>
    public static AppChannel FromAddress(Uri address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false };
        return new AppChannel(
            () => new HttpClient(handler, disposeHandler: false) { BaseAddress = address },
            disposeClients: true,
            ownedHandler: handler);
    }

    /// <inheritdoc />
    public void Dispose() => _ownedHandler?.Dispose();

    /// <summary>
    /// Sends a request with a path relative to the app's root; the answer comes back buffered. The token is the
    /// app's own sidecar's <c>APP_API_TOKEN</c>: a parameter, so that no call into an app can forget it.
    /// </summary>
    internal async Task<HttpResponseMessage> SendAsync(
        HttpRequestMessage request, string? appToken, CancellationToken cancellationToken)
    {
        // Whatever token the request brought along is replaced: the app must only ever see its own sidecar's.
        request.Headers.Remove(TokenHeader);
        if (appToken is not null)
        {
            request.Headers.TryAddWithoutValidation(TokenHeader, appToken);
        }

        var client = _createClient();
        try
        {
            // Buffered, so the answer outlives the client that fetched it.
            return await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        finally
        {
            if (_disposeClients)
            {
                client.Dispose();
            }
        }
    }
}
