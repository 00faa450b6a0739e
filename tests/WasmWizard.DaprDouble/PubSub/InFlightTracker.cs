namespace WasmWizard.DaprDouble.PubSub;

/// <summary>Counts deliveries in progress so tests can wait until none are.</summary>
internal sealed class InFlightTracker
{
    private readonly Lock _lock = new();
    private int _count;
    private TaskCompletionSource _idle = NewIdle(completed: true);

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    public void Enter()
    {
        lock (_lock)
        {
            if (_count++ == 0)
            {
                _idle = NewIdle(completed: false);
            }
        }
    }

    public void Exit()
    {
        TaskCompletionSource? idle = null;
        lock (_lock)
        {
            if (--_count == 0)
            {
                idle = _idle;
            }
        }

        idle?.TrySetResult();
    }

    public Task WhenIdle()
    {
        lock (_lock)
        {
            return _idle.Task;
        }
    }

    private static TaskCompletionSource NewIdle(bool completed)
    {
        var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (completed)
        {
            source.SetResult();
        }

        return source;
    }
}
