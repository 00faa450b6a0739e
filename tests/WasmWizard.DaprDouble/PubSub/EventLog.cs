namespace WasmWizard.DaprDouble.PubSub;

/// <summary>An append-only list that tests can wait on for an item matching a predicate.</summary>
internal sealed class EventLog<T>
    where T : class
{
    private readonly Lock _lock = new();
    private readonly List<T> _items = [];
    private readonly List<Waiter> _waiters = [];

    public IReadOnlyList<T> Snapshot()
    {
        lock (_lock)
        {
            return [.. _items];
        }
    }

    public void Add(T item)
    {
        List<Waiter> matched = [];
        lock (_lock)
        {
            _items.Add(item);
            foreach (var waiter in _waiters)
            {
                if (waiter.Match(item))
                {
                    matched.Add(waiter);
                }
            }

            _waiters.RemoveAll(matched.Contains);
        }

        // Completed outside the lock; the sources run continuations asynchronously anyway.
        foreach (var waiter in matched)
        {
            waiter.Done.TrySetResult(item);
        }
    }

    /// <summary>The first item, already added or still to come, that matches.</summary>
    /// <exception cref="TimeoutException">
    /// None came in time; the message ends with <paramref name="describe"/>.
    /// </exception>
    public async Task<T> WaitAsync(
        Func<T, bool> match, TimeSpan timeout, Func<string> describe, CancellationToken cancellationToken)
    {
        Waiter waiter;
        lock (_lock)
        {
            var found = _items.Find(item => match(item));
            if (found is not null)
            {
                return found;
            }

            waiter = new Waiter(
                match, new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously));
            _waiters.Add(waiter);
        }

        try
        {
            return await waiter.Done.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"Nothing matching came within {timeout}. {describe()}", e);
        }
        finally
        {
            lock (_lock)
            {
                _waiters.Remove(waiter);
            }
        }
    }

    private sealed record Waiter(Func<T, bool> Match, TaskCompletionSource<T> Done);
}
