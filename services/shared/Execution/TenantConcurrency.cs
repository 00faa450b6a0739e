using System.Collections.Concurrent;

namespace WasmWizard.Shared.Execution;

/// <summary>
/// Counts each tenant's runs in flight against its tier's cap, so that one tenant flooding the service holds at
/// most its share of the sandbox and others are still served. Counted in this process: with several api replicas
/// each enforces the cap on its own.
/// </summary>
public sealed class TenantConcurrency
{
    /// <summary>The service key of the instance that counts uploads rather than runs.</summary>
    public const string Uploads = "uploads";

    private readonly ConcurrentDictionary<Guid, int> _running = new();

    /// <summary>Takes a run slot for <paramref name="tenant"/>, or returns null when it already has <paramref name="cap"/>.</summary>
    public IDisposable? TryEnter(Guid tenant, int cap)
    {
        while (true)
        {
            var current = _running.GetOrAdd(tenant, 0);
            if (current >= cap)
            {
                return null;
            }

            if (_running.TryUpdate(tenant, current + 1, current))
            {
                return new Slot(this, tenant);
            }
        }
    }

    /// <summary>Runs in flight for <paramref name="tenant"/>.</summary>
    public int Running(Guid tenant) => _running.GetValueOrDefault(tenant);

    private void Leave(Guid tenant)
    {
        while (true)
        {
            var current = _running[tenant];
            if (current <= 1 ? _running.TryRemove(KeyValuePair.Create(tenant, current)) : _running.TryUpdate(tenant, current - 1, current))
            {
                return;
            }
        }
    }

    private sealed class Slot(TenantConcurrency owner, Guid tenant) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Leave(tenant);
            }
        }
    }
}
