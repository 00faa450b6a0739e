using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace WasmWizard.LoadGenerator;

/// <summary>The <c>url</c> mode: one request, repeated by N closed-loop clients against a URL.</summary>
public static class HttpLoad
{
    public static async Task<JsonObject> RunAsync(LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var url = new Uri(options.Required("url"));
        var method = new HttpMethod(options.Single("method") ?? "GET");
        var body = options.Single("body-file") is { } bodyFile
            ? await File.ReadAllBytesAsync(bodyFile).ConfigureAwait(false)
            : options.Single("body") is { } text ? System.Text.Encoding.UTF8.GetBytes(text) : null;
        var headers = options.All("header").Select(ParseHeader).ToList();
        var apiKey = ReadApiKey(options);

        using var http = NewClient(options);
        Console.Error.WriteLine(
            $"url: {options.Concurrency} clients, {options.Warmup.TotalSeconds} s warm-up, {options.Duration.TotalSeconds} s");
        var report = await ClosedLoop.RunAsync(
            options.Concurrency, options.Warmup, options.Duration, options.RefusedBackoff, async () =>
        {
            using var request = new HttpRequestMessage(method, url);
            if (body is not null)
            {
                request.Content = new ByteArrayContent(body);
            }

            foreach (var (name, value) in headers)
            {
                // Content headers only exist on a request with content; the rest go on the request.
                if (!request.Headers.TryAddWithoutValidation(name, value))
                {
                    request.Content ??= new ByteArrayContent([]);
                    request.Content.Headers.TryAddWithoutValidation(name, value);
                }
            }

            if (apiKey is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
            }

            return await SendAsync(http, request).ConfigureAwait(false);
        }).ConfigureAwait(false);

        return new JsonObject
        {
            ["mode"] = "url",
            ["cpu_of"] = ProcessMeter.ClientsOnly,
            ["method"] = method.Method,
            ["url"] = url.GetLeftPart(UriPartial.Path),
            ["result"] = Json.ToNode(report),
        };
    }

    /// <summary>Sends and reads the whole answer, so the server's full work is in the latency.</summary>
    public static async Task<Outcome> SendAsync(HttpClient http, HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(http);
        using var response = await http.SendAsync(request).ConfigureAwait(false);
        _ = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
        var status = (int)response.StatusCode;
        return new Outcome(
            status.ToString(System.Globalization.CultureInfo.InvariantCulture),
            response.IsSuccessStatusCode,
            Refused: status is 429 or 503);
    }

    /// <summary><see cref="SendAsync"/>, then disposes the request.</summary>
    public static async Task<Outcome> SendAndDisposeAsync(HttpClient http, HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        using (request)
        {
            return await SendAsync(http, request).ConfigureAwait(false);
        }
    }

    /// <summary>One connection per client, kept open, with the run's timeout.</summary>
    public static HttpClient NewClient(LoadOptions options, Uri? baseAddress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return NewClient(options.Concurrency, options.Timeout, baseAddress);
    }

    /// <summary>At most <paramref name="connections"/> connections, kept open, with the given timeout.</summary>
    public static HttpClient NewClient(int connections, TimeSpan timeout, Uri? baseAddress = null)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            AllowAutoRedirect = false,
        };
        return new HttpClient(handler) { Timeout = timeout, BaseAddress = baseAddress };
    }

    private static (string Name, string Value) ParseHeader(string header)
    {
        var colon = header.IndexOf(':', StringComparison.Ordinal);
        return colon > 0
            ? (header[..colon].Trim(), header[(colon + 1)..].Trim())
            : throw new ArgumentException($"A header must look like 'Name: value', not '{header}'.");
    }

    // The key is read, never printed: the report names neither it nor where it came from.
    public static string? ReadApiKey(LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Single("api-key-file") is { } path)
        {
            return File.ReadAllText(path).Trim();
        }

        if (options.Single("api-key-env") is { } name)
        {
            return Environment.GetEnvironmentVariable(name)?.Trim() is { Length: > 0 } key
                ? key
                : throw new ArgumentException($"The environment variable {name} is not set.");
        }

        return null;
    }
}
