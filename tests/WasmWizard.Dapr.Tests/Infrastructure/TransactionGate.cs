namespace WasmWizard.Dapr.Tests.Infrastructure;

/// <summary>
/// Holds a client's first state transaction until the test lets it go. A store reads, decides and then commits in
/// one transaction, so holding the commit lets a test put another writer's whole operation in between, and see
/// the race the ETags must catch every time rather than by chance.
/// </summary>
public sealed class TransactionGate : DelegatingHandler
{
    private const string TransactionMethod = "/dapr.proto.runtime.v1.Dapr/ExecuteStateTransaction";

    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _taken;

    /// <summary>Completes when the first transaction is being held.</summary>
    public Task Reached => _reached.Task;

    /// <summary>Lets the held transaction, and every later call, through.</summary>
    public void Release() => _released.TrySetResult();

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(
        HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri?.AbsolutePath == TransactionMethod && Interlocked.Exchange(ref _taken, 1) == 0)
        {
            _reached.TrySetResult();
            await _released.Task.WaitAsync(cancellationToken);
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
