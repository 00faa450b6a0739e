using WasmWizard.Shared.Ports;

namespace WasmWizard.Audit.Tests.Infrastructure;

/// <summary>One store implementation under a contract test, with what the test needs around it.</summary>
public abstract class AuditBackend : IAsyncDisposable
{
    /// <summary>The store, on an empty trail of the test's own.</summary>
    public abstract IAuditEventStore Store { get; }

    /// <summary>A second store instance on the same trail, as a second replica (or a restart) would open it.</summary>
    public abstract Task<IAuditEventStore> ReplicaAsync();

    /// <summary>A store on another, empty trail.</summary>
    public abstract Task<IAuditEventStore> StrangerAsync();

    /// <summary>How raw SQL binds an id column.</summary>
    public abstract object Key(Guid id);

    /// <summary>
    /// Runs <paramref name="sql"/> on the trail's tables as an intruder with write access would; with
    /// <paramref name="liftGuard"/>, after disabling the trigger that refuses updates, as a determined one would.
    /// </summary>
    public abstract Task ExecuteAsync(string sql, bool liftGuard, params (string Name, object? Value)[] parameters);

    /// <inheritdoc />
    public abstract ValueTask DisposeAsync();
}
