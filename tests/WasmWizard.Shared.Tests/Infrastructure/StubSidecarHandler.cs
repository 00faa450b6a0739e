using System.Collections.Concurrent;

namespace WasmWizard.Shared.Tests.Infrastructure;

/// <summary>
/// Stands in for the sidecar's HTTP port inside the client, so a real <c>ActorProxyFactory</c> can be driven
/// without a network: every request is recorded and answered by the test.
/// </summary>
public sealed class StubSidecarHandler(Func<CancellationToken, Task<HttpResponseMessage>> answer) : HttpMessageHandler
{
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly TaskCompletionSource _cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Every request received, in order.</summary>
    public IReadOnlyCollection<RecordedRequest> Requests => _requests;

    /// <summary>Completes when the client cancels a request while it is being answered.</summary>
    public Task Cancelled => _cancelled.Task;

    protected override async Task<HttpResponseMessage> SendAsync(
        HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        _requests.Enqueue(new RecordedRequest(
            request.Method,
            request.RequestUri!,
            request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase),
            request.Content?.Headers.ContentType?.MediaType,
            body));
        try
        {
            return await answer(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _cancelled.TrySetResult();
            throw;
        }
    }
}
