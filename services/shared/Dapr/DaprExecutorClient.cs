using System.Net.Http.Headers;
using System.Net.Http.Json;
using Dapr.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Shared.Dapr;

/// <summary>
/// The distributed deployment's way from api to executor: the executor's internal endpoints
/// (<see cref="ExecutorProtocol"/>) through the api's sidecar. Refusals come back as the exceptions the embedded
/// executor throws; a sidecar or executor that cannot be reached, or does not answer in time, is a
/// <see cref="DependencyUnavailableException"/>. Each call has a deadline of its own, longer for a run than the
/// run's own limit (<see cref="ExecutorClientOptions.TimeoutSeconds"/>).
/// </summary>
public sealed class DaprExecutorClient : IExecutorClient, IDisposable
{
    private static readonly MediaTypeHeaderValue WasmType = new(ExecutorProtocol.WasmMediaType);
    private static readonly MediaTypeHeaderValue BinaryType = new("application/octet-stream");

    private readonly HttpClient _http;
    private readonly TimeSpan _timeout;
    private readonly ILogger<DaprExecutorClient> _logger;

    /// <summary>Creates the client over <paramref name="dapr"/>'s sidecar.</summary>
    public DaprExecutorClient(DaprClient dapr, IOptions<ExecutorClientOptions> options, ILogger<DaprExecutorClient> logger)
    {
        ArgumentNullException.ThrowIfNull(dapr);
        ArgumentNullException.ThrowIfNull(options);
        _timeout = TimeSpan.FromSeconds(options.Value.TimeoutSeconds);
        _logger = logger;
        _http = dapr.CreateInvokableHttpClient(DaprNames.ExecutorAppId);

        // The deadline is a token of our own, so a timeout can be told apart from a caller that left.
        _http.Timeout = Timeout.InfiniteTimeSpan;
    }

    /// <inheritdoc />
    public Task<PreparedModule> PrepareModuleAsync(byte[] module, string? tenant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(module);
        var content = new ByteArrayContent(module);
        content.Headers.ContentType = WasmType;
        return SendAsync(
            new Call(HttpMethod.Post, ExecutorProtocol.PreparePath(tenant), content, CarriesModule: true, _timeout),
            ExecutorAnswers.ReadAsync<PreparedModule>,
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<RunResult> RunAsync(RunRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var form = new MultipartFormDataContent
        {
            {
                JsonContent.Create(ExecutorRunRequestDto.From(request), options: ExecutorProtocol.Json),
                ExecutorProtocol.RequestPart
            },
            { Binary(request.Stdin, BinaryType), ExecutorProtocol.StdinPart },
        };
        if (request.ModuleBytes is { } module)
        {
            form.Add(Binary(module, WasmType), ExecutorProtocol.ModulePart);
        }

        // The guest's own deadline on top: however a tier's limit is set, the client never gives up on a run the
        // executor is still allowed to finish. A stored module's hash is kept to name it if its bytes are gone.
        var timeout = _timeout + TimeSpan.FromMilliseconds(Math.Max(0, request.Limits.TimeoutMs));
        var call = new Call(HttpMethod.Post, ExecutorProtocol.RunRoute, form, request.ModuleBytes is not null, timeout)
        {
            Sha256 = request.ModuleBytes is null ? request.ModuleSha256 : null,
        };
        return SendAsync(call, ExecutorAnswers.ReadAsync<RunResult>, cancellationToken);
    }

    /// <inheritdoc />
    public async Task ForgetModuleAsync(string sha256, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sha256);

        // Only hashes name what the executor keeps; anything else has nothing to forget, as in the embedded host.
        if (!ExecutorProtocol.IsSha256(sha256))
        {
            return;
        }

        var path = ExecutorProtocol.ForgetPath(sha256);
        var call = new Call(HttpMethod.Delete, path, null, CarriesModule: false, _timeout);
        await SendAsync(call, (_, _) => Task.FromResult(true), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private async Task<T> SendAsync<T>(
        Call call, Func<HttpResponseMessage, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(call.Timeout);
        using var request = new HttpRequestMessage(call.Method, call.Path) { Content = call.Content };
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, deadline.Token)
                .ConfigureAwait(false);
            if (!response.IsSuccessStatusCode || ExecutorAnswers.IsRefusal(response))
            {
                throw await ExecutorAnswers
                    .RefusalAsync(response, call.CarriesModule, call.Sha256, _logger, deadline.Token)
                    .ConfigureAwait(false);
            }

            return await read(response, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException e)
        {
            throw new DependencyUnavailableException(
                "executor",
                new TimeoutException($"The executor did not answer within {call.Timeout.TotalSeconds} s.", e));
        }
        catch (HttpRequestException e)
        {
            // The api's own sidecar is down, or the connection broke mid-answer.
            throw new DependencyUnavailableException("executor", e);
        }
    }

    private static ByteArrayContent Binary(byte[] bytes, MediaTypeHeaderValue type)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = type;
        return content;
    }

    private sealed record Call(
        HttpMethod Method, string Path, HttpContent? Content, bool CarriesModule, TimeSpan Timeout)
    {
        /// <summary>The stored module a run names, or null.</summary>
        public string? Sha256 { get; init; }
    }
}
