namespace WasmWizard.DaprDouble;

/// <summary>
/// Switches that make one sidecar double's gRPC API answer <c>Unavailable</c>, as a sidecar that lost its state
/// store or broker would, so tests can check that the app reports a clear error and retries.
/// </summary>
public sealed class SidecarFaults
{
    private volatile bool _stateUnavailable;
    private volatile bool _publishUnavailable;
    private int _stateFailuresLeft;
    private int _publishFailuresLeft;

    /// <summary>Every state call fails until this is cleared.</summary>
    public bool StateUnavailable
    {
        get => _stateUnavailable;
        set => _stateUnavailable = value;
    }

    /// <summary>
    /// Every state transaction that checks an ETag fails with an ETag mismatch until this is cleared, as if other
    /// writers always changed the records first.
    /// </summary>
    public bool StateConflicts { get; set; }

    /// <summary>Every publish fails until this is cleared.</summary>
    public bool PublishUnavailable
    {
        get => _publishUnavailable;
        set => _publishUnavailable = value;
    }

    /// <summary>The next <paramref name="count"/> state calls fail; later ones succeed (a transient outage).</summary>
    public void FailNextStateCalls(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Interlocked.Exchange(ref _stateFailuresLeft, count);
    }

    /// <summary>The next <paramref name="count"/> publishes fail; later ones succeed.</summary>
    public void FailNextPublishCalls(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Interlocked.Exchange(ref _publishFailuresLeft, count);
    }

    internal bool TakeStateFailure() => _stateUnavailable || TryTake(ref _stateFailuresLeft);

    internal bool TakePublishFailure() => _publishUnavailable || TryTake(ref _publishFailuresLeft);

    private static bool TryTake(ref int left)
    {
        while (true)
        {
            var current = Volatile.Read(ref left);
            if (current <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref left, current - 1, current) == current)
            {
                return true;
            }
        }
    }
}
